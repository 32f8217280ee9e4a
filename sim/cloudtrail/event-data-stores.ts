/**
 * CloudTrail Lake event data store operations with the status machine of
 * `com.amazonaws.cloudtrail#EventDataStoreStatus` (start and stop rules:
 * `com.amazonaws.cloudtrail#StartEventDataStoreIngestion` / `StopEventDataStoreIngestion`; the other transitions
 * INFERRED): create, update, get, list, delete (7-day PENDING_DELETION), restore, start and stop ingestion.
 * Transitional statuses settle after `state.transitionMs` of simulated time, so callers must poll as they would against
 * AWS.
 */
import { epochSeconds } from '../clock';
import { fail } from '../errors';
import { DEFAULT_MANAGEMENT_SELECTORS, partitionOf, type EdsRec, type EdsStatus, type Selector, type SimState } from '../state';
import { checkAdvancedSelectors, findStore, logged, writableStore, type Operation } from './common';
import { decodeToken, encodeToken } from './trails';

/**
 * Event data stores per region, any lifecycle stage
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html).
 */
const MAX_STORES_PER_REGION = 10;

export function storeView(s: EdsRec): Record<string, unknown> {
  return {
    EventDataStoreArn: s.arn,
    Name: s.name,
    Status: s.status,
    AdvancedEventSelectors: s.advancedEventSelectors,
    MultiRegionEnabled: s.multiRegion,
    OrganizationEnabled: s.organization,
    RetentionPeriod: s.retentionPeriod,
    TerminationProtectionEnabled: s.terminationProtection,
    CreatedTimestamp: epochSeconds(s.created),
    UpdatedTimestamp: epochSeconds(s.updated),
    ...(s.kmsKeyId !== undefined && { KmsKeyId: s.kmsKeyId }),
    BillingMode: s.billingMode,
  };
}

function transition(state: SimState, s: EdsRec, via: EdsStatus, to: EdsStatus, now: number): void {
  s.status = via;
  s.transition = { to, at: now + state.transitionMs };
  if (state.transitionMs <= 0) state.settle(s);
}

const isInsightStore = (s: Pick<EdsRec, 'advancedEventSelectors'>) => logged(undefined, s.advancedEventSelectors).categories.has('Insight');
const INGESTING_CATEGORIES = ['Management', 'Data', 'NetworkActivity', 'ConfigurationItem'];

/**
 * Only for eventCategory Management, Data, NetworkActivity or ConfigurationItem stores
 * (`com.amazonaws.cloudtrail#StartEventDataStoreIngestion`, `com.amazonaws.cloudtrail#StopEventDataStoreIngestion`).
 */
function checkIngestionCategory(s: EdsRec): void {
  const cats = [...logged(undefined, s.advancedEventSelectors).categories];
  if (!cats.some((c) => INGESTING_CATEGORIES.includes(c)))
    fail('InvalidEventDataStoreCategoryException', `This operation is not supported for event data stores with eventCategory ${cats.join(', ') || 'none'}.`);
}

function checkRetention(billingMode: string, retention: number): void {
  // FIXED_RETENTION_PRICING allows at most 2557 days
  // (`com.amazonaws.cloudtrail#CreateEventDataStoreRequest$BillingMode`); the model's range (7..3653) is checked
  // before.
  if (billingMode === 'FIXED_RETENTION_PRICING' && retention > 2557) fail('InvalidParameterException', 'RetentionPeriod for FIXED_RETENTION_PRICING must be at most 2557 days.');
}

/**
 * Settles transitions first, and refuses changes while the store is inactive or between states (INFERRED from
 * `com.amazonaws.cloudtrail#InactiveEventDataStoreException` and `com.amazonaws.cloudtrail#ConflictException`).
 */
function checkChangeable(s: EdsRec): void {
  if (s.status === 'PENDING_DELETION') fail('InactiveEventDataStoreException', `Event data store ${s.arn} is pending deletion.`);
  if (s.status === 'STARTING_INGESTION' || s.status === 'STOPPING_INGESTION' || s.status === 'CREATED')
    fail('ConflictException', 'The event data store is changing state. Wait a few minutes, and then try the operation again.');
}

export const createEventDataStore: Operation = (input, ctx) => {
  const { state, caller, region } = ctx;
  const name = input.Name as string;
  const mine = state.visibleStores(caller.account, region).filter((s) => s.account === caller.account);
  if (mine.some((s) => s.name === name)) fail('EventDataStoreAlreadyExistsException', `An event data store with the name ${name} already exists.`);
  if (mine.length >= MAX_STORES_PER_REGION) fail('EventDataStoreMaxLimitExceededException', `Your account has reached the limit of ${MAX_STORES_PER_REGION} event data stores in ${region}.`);
  if (input.OrganizationEnabled === true && !state.isManagement(caller.account) && !state.isDelegatedAdmin(caller.account))
    fail('NotOrganizationMasterAccountException', 'Only the management account or a delegated administrator can create an organization event data store.');
  const billingMode = (input.BillingMode as EdsRec['billingMode'] | undefined) ?? 'EXTENDABLE_RETENTION_PRICING';
  const retention = (input.RetentionPeriod as number | undefined) ?? (billingMode === 'FIXED_RETENTION_PRICING' ? 2557 : 366);
  checkRetention(billingMode, retention);
  const now = ctx.clock.nowMs();
  const id = crypto.randomUUID();
  if (input.AdvancedEventSelectors !== undefined) checkAdvancedSelectors(input.AdvancedEventSelectors as Selector[], 'eventDataStore', 'InvalidEventSelectorsException');
  const selectors = (input.AdvancedEventSelectors as Selector[] | undefined) ?? DEFAULT_MANAGEMENT_SELECTORS;
  const store: EdsRec = {
    arn: `arn:${partitionOf(region)}:cloudtrail:${region}:${caller.account}:eventdatastore/${id}`,
    id,
    name,
    account: caller.account,
    region,
    multiRegion: input.MultiRegionEnabled !== false,
    organization: input.OrganizationEnabled === true,
    terminationProtection: input.TerminationProtectionEnabled !== false, // enabled by default (`com.amazonaws.cloudtrail#UpdateEventDataStore`)
    retentionPeriod: retention,
    billingMode,
    ...(typeof input.KmsKeyId === 'string' && { kmsKeyId: input.KmsKeyId }),
    status: 'CREATED',
    advancedEventSelectors: selectors,
    insightSelectors: [],
    tags: (input.TagsList as { Key: string; Value?: string }[] | undefined) ?? [],
    created: now,
    updated: now,
  };
  state.addStore(store);
  const view = { ...storeView(store), TagsList: store.tags };
  // StartIngestion defaults to true (`com.amazonaws.cloudtrail#CreateEventDataStoreRequest$StartIngestion`); with false
  // the store settles in STOPPED_INGESTION (UNVERIFIED: AWS documents no status for it).
  const settled: EdsStatus = input.StartIngestion === false && !isInsightStore(store) ? 'STOPPED_INGESTION' : 'ENABLED';
  transition(state, store, 'CREATED', settled, now);
  return view;
};

export const updateEventDataStore: Operation = (input, ctx) => {
  const s = writableStore(ctx, input.EventDataStore, 'update');
  const changes = ['Name', 'AdvancedEventSelectors', 'MultiRegionEnabled', 'OrganizationEnabled', 'RetentionPeriod', 'TerminationProtectionEnabled', 'KmsKeyId', 'BillingMode'].filter((k) => input[k] !== undefined && input[k] !== null);
  // "at least one optional parameter must be specified" (`com.amazonaws.cloudtrail#UpdateEventDataStore`; error name
  // UNVERIFIED).
  if (changes.length === 0) fail('InvalidParameterException', 'At least one optional parameter must be specified.');
  checkChangeable(s);
  if (input.OrganizationEnabled !== undefined && input.OrganizationEnabled !== s.organization && !ctx.state.isManagement(ctx.caller.account))
    fail('NotOrganizationMasterAccountException', 'Only the management account can convert an event data store to or from an organization event data store.');
  if (input.BillingMode === 'FIXED_RETENTION_PRICING' && s.billingMode === 'EXTENDABLE_RETENTION_PRICING')
    fail('InvalidParameterException', 'You cannot change the billing mode from EXTENDABLE_RETENTION_PRICING to FIXED_RETENTION_PRICING.');
  if (typeof input.KmsKeyId === 'string' && s.kmsKeyId !== undefined && input.KmsKeyId !== s.kmsKeyId)
    fail('InvalidParameterException', 'The KMS key of an event data store cannot be changed or removed once set.');
  const selectors = input.AdvancedEventSelectors as Selector[] | undefined;
  if (selectors) checkAdvancedSelectors(selectors, 'eventDataStore', 'InvalidEventSelectorsException');
  if (selectors && s.insightSelectors.length > 0) {
    // Insights on the store guard its selectors (`com.amazonaws.cloudtrail#InvalidInsightSelectorsException`).
    const l = logged(undefined, selectors);
    const needsWrite = s.insightSelectors.some((i) => i.InsightType === 'ApiCallRateInsight');
    if (!l.categories.has('Management') || (needsWrite && !l.managementWrite) || (!l.managementRead && !l.managementWrite))
      fail('InvalidInsightSelectorsException', 'The new advanced event selectors do not log the management events the Insights configured on this event data store need.');
  }
  const name = input.Name as string | undefined;
  if (name && name !== s.name && ctx.state.visibleStores(s.account, s.region).some((o) => o.account === s.account && o.name === name))
    fail('EventDataStoreAlreadyExistsException', `An event data store with the name ${name} already exists.`);
  const billingMode = (input.BillingMode as EdsRec['billingMode'] | undefined) ?? s.billingMode;
  const retention = (input.RetentionPeriod as number | undefined) ?? s.retentionPeriod;
  checkRetention(billingMode, retention);
  if (name) s.name = name;
  if (selectors) s.advancedEventSelectors = selectors;
  if (typeof input.MultiRegionEnabled === 'boolean') s.multiRegion = input.MultiRegionEnabled;
  if (typeof input.OrganizationEnabled === 'boolean') s.organization = input.OrganizationEnabled;
  if (typeof input.TerminationProtectionEnabled === 'boolean') s.terminationProtection = input.TerminationProtectionEnabled;
  if (typeof input.KmsKeyId === 'string') s.kmsKeyId = input.KmsKeyId;
  s.billingMode = billingMode;
  s.retentionPeriod = retention;
  s.updated = ctx.clock.nowMs();
  return { ...storeView(s), FederationStatus: 'DISABLED' };
};

export const getEventDataStore: Operation = (input, ctx) => ({ ...storeView(findStore(ctx, input.EventDataStore)), FederationStatus: 'DISABLED', PartitionKeys: [] });

/**
 * Items carry only EventDataStoreArn and Name now: the other members are deprecated
 * (`com.amazonaws.cloudtrail#EventDataStore$Status`: "no longer returned by ListEventDataStores", and the others
 * alike).
 */
export const listEventDataStores: Operation = (input, ctx) => {
  const all = ctx.state.visibleStores(ctx.caller.account, ctx.region).sort((a, b) => a.arn.localeCompare(b.arn));
  const size = (input.MaxResults as number | undefined) ?? 100;
  const start = decodeToken(input.NextToken, 'InvalidNextTokenException');
  const next = start + size < all.length ? encodeToken(start + size) : undefined;
  return { EventDataStores: all.slice(start, start + size).map((s) => ({ EventDataStoreArn: s.arn, Name: s.name })), ...(next && { NextToken: next }) };
};

/**
 * Needs termination protection off; the store waits 7 days in PENDING_DELETION
 * (`com.amazonaws.cloudtrail#DeleteEventDataStore`).
 */
export const deleteEventDataStore: Operation = (input, ctx) => {
  const s = writableStore(ctx, input.EventDataStore, 'delete');
  if (s.status === 'PENDING_DELETION') fail('InactiveEventDataStoreException', `Event data store ${s.arn} is already pending deletion.`);
  if (s.terminationProtection) fail('EventDataStoreTerminationProtectedException', 'The event data store cannot be deleted because termination protection is enabled.');
  s.status = 'PENDING_DELETION';
  delete s.transition;
  s.deletionStartedAt = ctx.clock.nowMs();
  s.updated = ctx.clock.nowMs();
  return undefined;
};

/**
 * Only within the 7-day window (`com.amazonaws.cloudtrail#RestoreEventDataStore`); the store comes back ingesting
 * (UNVERIFIED).
 */
export const restoreEventDataStore: Operation = (input, ctx) => {
  const s = writableStore(ctx, input.EventDataStore, 'delete');
  if (s.status !== 'PENDING_DELETION') fail('InvalidEventDataStoreStatusException', `Event data store ${s.arn} is not pending deletion.`);
  delete s.deletionStartedAt;
  s.updated = ctx.clock.nowMs();
  transition(ctx.state, s, 'STARTING_INGESTION', 'ENABLED', ctx.clock.nowMs());
  return storeView(s);
};

/**
 * Start only from STOPPED_INGESTION, stop only from ENABLED; neither on an Insights destination
 * (`com.amazonaws.cloudtrail#StartEventDataStoreIngestion`, `com.amazonaws.cloudtrail#StopEventDataStoreIngestion`).
 */
const ingestion =
  (verb: 'started' | 'stopped', from: EdsStatus, via: EdsStatus, to: EdsStatus): Operation =>
  (input, ctx) => {
    const s = writableStore(ctx, input.EventDataStore, 'ingestion');
    checkIngestionCategory(s);
    if (s.status !== from) fail('InvalidEventDataStoreStatusException', `The event data store is ${s.status}; ingestion can be ${verb} only when it is ${from}.`);
    transition(ctx.state, s, via, to, ctx.clock.nowMs());
    return undefined;
  };

export const startEventDataStoreIngestion = ingestion('started', 'STOPPED_INGESTION', 'STARTING_INGESTION', 'ENABLED');
export const stopEventDataStoreIngestion = ingestion('stopped', 'ENABLED', 'STOPPING_INGESTION', 'STOPPED_INGESTION');

export { isInsightStore };
