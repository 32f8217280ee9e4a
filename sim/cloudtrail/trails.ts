/**
 * Trail operations: describe, list, create, update, delete, start and stop logging, status, and event selectors, with
 * the rules the CloudTrail Smithy model (`com.amazonaws.cloudtrail#CloudTrail_20131101`) and API Reference document
 * (each cited where enforced).
 */
import { epochSeconds } from '../clock';
import { fail } from '../errors';
import { partitionOf, storedBasicSelectors, type Selector, type TrailRec } from '../state';
import { checkAdvancedSelectors, checkTrailName, findTrail, writableTrail, type CallContext, type Input, type Operation } from './common';

/**
 * The Trail structure (`com.amazonaws.cloudtrail#Trail`). HasInsightSelectors / HasCustomEventSelectors are real values
 * (moto hard-codes false: `Trail.description` in
 * https://github.com/getmoto/moto/blob/master/moto/cloudtrail/models.py).
 */
export function trailView(t: TrailRec): Record<string, unknown> {
  return {
    Name: t.name,
    S3BucketName: t.s3BucketName,
    ...(t.s3KeyPrefix !== undefined && { S3KeyPrefix: t.s3KeyPrefix }),
    IncludeGlobalServiceEvents: t.includeGlobalServiceEvents,
    IsMultiRegionTrail: t.multiRegion,
    HomeRegion: t.homeRegion,
    TrailARN: t.arn,
    LogFileValidationEnabled: t.logFileValidation,
    ...(t.kmsKeyId !== undefined && { KmsKeyId: t.kmsKeyId }),
    HasCustomEventSelectors: t.eventSelectors !== undefined || t.advancedEventSelectors !== undefined,
    HasInsightSelectors: t.insightSelectors.length > 0,
    IsOrganizationTrail: t.organization,
    ...(t.recursiveLogging !== undefined && { RecursiveLogging: t.recursiveLogging }),
  };
}

/**
 * RecursiveLogging (com.amazonaws.cloudtrail#CreateTrailRequest$RecursiveLogging, #UpdateTrailRequest$RecursiveLogging;
 * answered as #Trail$RecursiveLogging and in the Create/UpdateTrail responses): "The default value is true" (also
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-trail-recursive-logging.html). A trail on which
 * it was never set answers without it, not with `true`: the member is optional, what AWS returns for a trail that
 * predates the setting is UNVERIFIED, and a client that takes a missing value for false (suppressing) instead of the
 * default is then caught by tests. Its type is checked by the generic request validation (sim/validate.ts; the member
 * comes from scripts/model-additions.json until the vendored model has it).
 */
function recursiveLogging(input: Input): boolean | undefined {
  return typeof input.RecursiveLogging === 'boolean' ? input.RecursiveLogging : undefined;
}

/**
 * CreateTrail / UpdateTrail echo the configuration, without the Has* flags
 * (`com.amazonaws.cloudtrail#CreateTrailResponse`).
 */
function configView(t: TrailRec): Record<string, unknown> {
  const { HasCustomEventSelectors: _c, HasInsightSelectors: _i, HomeRegion: _h, ...rest } = trailView(t);
  return rest;
}

const DEFAULT_SELECTORS = [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }];

/**
 * Trails per region per account
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html).
 */
const MAX_TRAILS_PER_REGION = 5;

function checkBucket(ctx: CallContext, bucket: string): void {
  const health = ctx.state.world.buckets[bucket] ?? 'ok';
  if (health === 'missing') fail('S3BucketDoesNotExistException', `S3 bucket ${bucket} does not exist.`);
  if (health === 'accessDenied') fail('InsufficientS3BucketPolicyException', `Incorrect S3 bucket policy is detected for bucket: ${bucket}`);
}

/**
 * Organization trails need the management account (or delegated admin), all features and trusted access
 * (`com.amazonaws.cloudtrail#CreateTrailRequest$IsOrganizationTrail`,
 * `com.amazonaws.cloudtrail#OrganizationNotInAllFeaturesModeException`,
 * `com.amazonaws.cloudtrail#CloudTrailAccessNotEnabledException`).
 */
function checkOrganizationTrail(ctx: CallContext): void {
  const { state, caller } = ctx;
  if (!state.isManagement(caller.account) && !state.isDelegatedAdmin(caller.account))
    fail('NotOrganizationMasterAccountException', `The account ${caller.account} is not the management account or a delegated administrator of the organization.`);
  if (state.org.featureSet !== 'ALL') fail('OrganizationNotInAllFeaturesModeException', 'This operation requires that all features are enabled in the organization.');
  if (!state.org.trustedServices.includes('cloudtrail.amazonaws.com'))
    fail('CloudTrailAccessNotEnabledException', 'Trusted access for CloudTrail is not enabled in the organization.');
}

const now = (ctx: CallContext) => ctx.clock.nowMs();

export const describeTrails: Operation = (input, ctx) => {
  const include = input.includeShadowTrails !== false; // defaults to true (`com.amazonaws.cloudtrail#DescribeTrailsRequest$includeShadowTrails`)
  const visible = ctx.state.visibleTrails(ctx.caller.account, ctx.region, include);
  const names = input.trailNameList as string[] | undefined;
  // Names that match nothing are ignored: DescribeTrails models no TrailNotFoundException. A name matches only the
  // caller's trail homed in this Region; shadows and organization trails answer to their ARN
  // (`com.amazonaws.cloudtrail#GetTrailStatusRequest$Name`, see findTrail).
  const byName = (t: TrailRec) => names!.includes(t.name) && t.account === ctx.caller.account && t.homeRegion === ctx.region;
  const list = names && names.length > 0 ? visible.filter((t) => names.includes(t.arn) || byName(t)) : visible;
  return { trailList: list.map(trailView) };
};

const LIST_TRAILS_PAGE = 25;

export const listTrails: Operation = (input, ctx) => {
  // Which trails ListTrails includes is UNVERIFIED (`com.amazonaws.cloudtrail#ListTrails` says only "trails that are in
  // the current account"); it lists what DescribeTrails shows with shadows.
  const all = ctx.state.visibleTrails(ctx.caller.account, ctx.region, true).sort((a, b) => a.arn.localeCompare(b.arn));
  const start = decodeToken(input.NextToken, 'InvalidNextTokenException');
  const page = all.slice(start, start + LIST_TRAILS_PAGE);
  const next = start + LIST_TRAILS_PAGE < all.length ? encodeToken(start + LIST_TRAILS_PAGE) : undefined;
  return { Trails: page.map((t) => ({ TrailARN: t.arn, Name: t.name, HomeRegion: t.homeRegion })), ...(next && { NextToken: next }) };
};

export const getTrail: Operation = (input, ctx) => ({ Trail: trailView(findTrail(ctx, input.Name)) });

/**
 * GetTrailStatus (`com.amazonaws.cloudtrail#GetTrailStatusResponse`): IsLogging is the compliance bit; a broken bucket
 * or key shows as LatestDeliveryError.
 */
export const getTrailStatus: Operation = (input, ctx) => {
  const t = findTrail(ctx, input.Name);
  const error = t.s3 === 'missing' ? 'NoSuchBucket' : t.s3 === 'accessDenied' ? 'AccessDenied' : t.kms === 'broken' ? 'KMS.AccessDeniedException' : undefined;
  const lastDelivery = t.isLogging && !error ? now(ctx) - 5 * 60_000 : undefined;
  return {
    IsLogging: t.isLogging,
    ...(t.startLoggingTime !== undefined && { StartLoggingTime: epochSeconds(t.startLoggingTime), TimeLoggingStarted: new Date(t.startLoggingTime).toISOString() }),
    ...(t.stopLoggingTime !== undefined && { StopLoggingTime: epochSeconds(t.stopLoggingTime), TimeLoggingStopped: new Date(t.stopLoggingTime).toISOString() }),
    ...(lastDelivery !== undefined && { LatestDeliveryTime: epochSeconds(lastDelivery) }),
    ...(error && { LatestDeliveryError: error, LatestDeliveryAttemptSucceeded: '' }),
  };
};

export const createTrail: Operation = (input, ctx) => {
  const name = input.Name as string;
  checkTrailName(name);
  const arn = `arn:${partitionOf(ctx.region)}:cloudtrail:${ctx.region}:${ctx.caller.account}:trail/${name}`;
  if (ctx.state.trails.has(arn)) fail('TrailAlreadyExistsException', `Trail ${name} already exists for customer: ${ctx.caller.account}`);
  const homed = ctx.state.trailsOf(ctx.caller.account).filter((t) => t.homeRegion === ctx.region);
  if (homed.length >= MAX_TRAILS_PER_REGION) fail('MaximumNumberOfTrailsExceededException', `User: ${ctx.caller.account} already has ${MAX_TRAILS_PER_REGION} trails in ${ctx.region}.`);
  const multiRegion = input.IsMultiRegionTrail === true;
  const globalEvents = input.IncludeGlobalServiceEvents !== false;
  // moto's rule (https://github.com/getmoto/moto/blob/master/moto/cloudtrail/models.py), real message UNVERIFIED.
  if (multiRegion && !globalEvents) fail('InvalidParameterCombinationException', 'Multi-Region trail must include global service events.');
  if (input.IsOrganizationTrail === true) checkOrganizationTrail(ctx);
  checkBucket(ctx, input.S3BucketName as string);
  const recursive = recursiveLogging(input);
  const trail: TrailRec = {
    arn,
    name,
    account: ctx.caller.account,
    homeRegion: ctx.region,
    // An organization trail may be single-Region (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html:
    // "You can create either a single-Region or multi-Region organization trail by using the AWS CLI").
    multiRegion,
    organization: input.IsOrganizationTrail === true,
    s3BucketName: input.S3BucketName as string,
    ...(typeof input.S3KeyPrefix === 'string' && { s3KeyPrefix: input.S3KeyPrefix }),
    s3: ctx.state.world.buckets[input.S3BucketName as string] ?? 'ok',
    ...(typeof input.KmsKeyId === 'string' && { kmsKeyId: input.KmsKeyId }),
    kms: 'ok',
    includeGlobalServiceEvents: globalEvents,
    logFileValidation: input.EnableLogFileValidation === true,
    ...(recursive !== undefined && { recursiveLogging: recursive }),
    isLogging: false, // a new trail logs only after StartLogging
    insightSelectors: [],
    tags: (input.TagsList as { Key: string; Value?: string }[] | undefined) ?? [],
  };
  ctx.state.addTrail(trail);
  ctx.state.reindexTrail(trail);
  return configView(trail);
};

/**
 * UpdateTrail checks everything before it changes anything: a refused update (a failed conversion to an organization
 * trail, a bad bucket, a multi-Region trail without global events) leaves the trail as it was. AWS documents no
 * partial update (`com.amazonaws.cloudtrail#UpdateTrail`: "Updates trail settings"; each error "is thrown when" the
 * request is refused), so the simulator applies all or nothing.
 */
export const updateTrail: Operation = (input, ctx) => {
  const t = writableTrail(ctx, input.Name);
  const recursive = recursiveLogging(input);
  const converts = input.IsOrganizationTrail !== undefined && input.IsOrganizationTrail !== t.organization;
  if (converts) {
    // "Only the management account ... can convert"
    // (`com.amazonaws.cloudtrail#UpdateTrailRequest$IsOrganizationTrail`).
    if (!ctx.state.isManagement(ctx.caller.account)) fail('NotOrganizationMasterAccountException', 'Only the management account can convert a trail to or from an organization trail.');
    checkOrganizationTrail(ctx);
  }
  if (typeof input.S3BucketName === 'string') checkBucket(ctx, input.S3BucketName);
  const multiRegion = typeof input.IsMultiRegionTrail === 'boolean' ? input.IsMultiRegionTrail : t.multiRegion;
  const globalEvents = typeof input.IncludeGlobalServiceEvents === 'boolean' ? input.IncludeGlobalServiceEvents : t.includeGlobalServiceEvents;
  if (multiRegion && !globalEvents) fail('InvalidParameterCombinationException', 'Multi-Region trail must include global service events.');
  // Everything is accepted: apply.
  if (converts) {
    t.organization = input.IsOrganizationTrail === true;
    ctx.state.reindexTrail(t);
  }
  if (typeof input.S3BucketName === 'string') {
    t.s3BucketName = input.S3BucketName;
    t.s3 = ctx.state.world.buckets[input.S3BucketName] ?? 'ok';
  }
  if (typeof input.S3KeyPrefix === 'string') t.s3KeyPrefix = input.S3KeyPrefix;
  t.includeGlobalServiceEvents = globalEvents;
  t.multiRegion = multiRegion;
  if (typeof input.EnableLogFileValidation === 'boolean') t.logFileValidation = input.EnableLogFileValidation;
  if (typeof input.KmsKeyId === 'string') t.kmsKeyId = input.KmsKeyId;
  if (recursive !== undefined) t.recursiveLogging = recursive;
  return configView(t);
};

export const deleteTrail: Operation = (input, ctx) => {
  const t = writableTrail(ctx, input.Name);
  ctx.state.removeTrail(t);
  return undefined;
};

/**
 * StartLogging / StopLogging: home region only, never on a shadow trail (`com.amazonaws.cloudtrail#StartLogging`,
 * `com.amazonaws.cloudtrail#StopLogging`).
 */
export const startLogging: Operation = (input, ctx) => {
  const t = writableTrail(ctx, input.Name);
  if (!t.isLogging) {
    t.isLogging = true;
    t.startLoggingTime = now(ctx);
  }
  return undefined;
};

export const stopLogging: Operation = (input, ctx) => {
  const t = writableTrail(ctx, input.Name);
  if (t.isLogging) {
    t.isLogging = false;
    t.stopLoggingTime = now(ctx);
  }
  return undefined;
};

/**
 * Basic selectors (`com.amazonaws.cloudtrail#InvalidEventSelectorsException`: "Specify a valid number of event selectors
 * (1 to 5) for a trail", "A trail is limited to 250 data resources"); each data resource names its Type, one of the
 * three basic types (`com.amazonaws.cloudtrail#DataResource$Type`). Every refusal, including both kinds or neither, is
 * InvalidEventSelectorsException: the only selector error PutEventSelectors models (its error list has no
 * InvalidParameterCombinationException).
 */
function checkSelectors(input: Input): void {
  const basic = input.EventSelectors as Selector[] | undefined;
  const advanced = input.AdvancedEventSelectors as Selector[] | undefined;
  // "either EventSelectors or AdvancedEventSelectors, not both" (`com.amazonaws.cloudtrail#PutEventSelectors`).
  if (basic && advanced) fail('InvalidEventSelectorsException', 'You cannot apply both event selectors and advanced event selectors to a trail.');
  if (!basic && !advanced) fail('InvalidEventSelectorsException', 'You must specify either event selectors or advanced event selectors.');
  if (basic) {
    if (basic.length < 1 || basic.length > 5) fail('InvalidEventSelectorsException', `A trail has 1 to 5 event selectors; ${basic.length} were given.`);
    const resources = basic.reduce((n, s) => n + ((s.DataResources as { Values?: string[] }[] | undefined) ?? []).reduce((m, d) => m + Math.max(1, d.Values?.length ?? 0), 0), 0);
    if (resources > 250) fail('InvalidEventSelectorsException', 'A trail can have at most 250 data resources across all event selectors.');
    for (const s of basic)
      for (const d of (s.DataResources as { Type?: string }[] | undefined) ?? []) {
        if (d.Type === undefined) fail('InvalidEventSelectorsException', 'Each data resource needs a Type.');
        if (!['AWS::S3::Object', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table'].includes(d.Type!))
          fail('InvalidEventSelectorsException', `Basic event selectors support data resources of type AWS::S3::Object, AWS::Lambda::Function and AWS::DynamoDB::Table, not ${d.Type}; use advanced event selectors.`);
      }
    return;
  }
  if (advanced!.length === 0) fail('InvalidEventSelectorsException', 'A trail has at least one advanced event selector.');
  checkAdvancedSelectors(advanced!, 'trail', 'InvalidEventSelectorsException');
}

/**
 * PutEventSelectors: replaces the selectors; applying one kind overwrites the other
 * (`com.amazonaws.cloudtrail#PutEventSelectors`), and answers with them as stored. Trails have no documented guard
 * against selectors that no longer support configured Insights (`com.amazonaws.cloudtrail#InvalidInsightSelectorsException`
 * guards only UpdateEventDataStore's selectors; behaviour UNVERIFIED), so none is enforced.
 */
export const putEventSelectors: Operation = (input, ctx) => {
  const t = writableTrail(ctx, input.TrailName);
  checkSelectors(input);
  if (input.EventSelectors) {
    t.eventSelectors = storedBasicSelectors(input.EventSelectors as Selector[]);
    delete t.advancedEventSelectors;
  } else {
    t.advancedEventSelectors = input.AdvancedEventSelectors as Selector[];
    delete t.eventSelectors;
  }
  return { TrailARN: t.arn, ...(t.eventSelectors ? { EventSelectors: t.eventSelectors } : { AdvancedEventSelectors: t.advancedEventSelectors }) };
};

/**
 * A never-configured trail answers with the documented default: all read and write management events
 * (`com.amazonaws.cloudtrail#PutEventSelectors`; UNVERIFIED shape).
 */
export const getEventSelectors: Operation = (input, ctx) => {
  const t = findTrail(ctx, input.TrailName);
  if (t.advancedEventSelectors) return { TrailARN: t.arn, AdvancedEventSelectors: t.advancedEventSelectors };
  return { TrailARN: t.arn, EventSelectors: t.eventSelectors ?? DEFAULT_SELECTORS };
};

export function encodeToken(offset: number): string {
  return Buffer.from(`sim-page:${offset}`).toString('base64');
}

export function decodeToken(token: unknown, error: string): number {
  if (token === undefined || token === null) return 0;
  const m = typeof token === 'string' ? /^sim-page:(\d+)$/.exec(Buffer.from(token, 'base64').toString()) : null;
  if (!m) return fail(error, 'The NextToken is not valid.');
  return Number(m[1]);
}
