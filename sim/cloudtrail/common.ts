/**
 * What every CloudTrail operation of the simulator shares: the call context, resolving a trail or event data store
 * from a name, id or ARN as the caller's account and region see it, ownership and home-region checks, and what event
 * selectors log. Implemented from the AWS documentation (the CloudTrail Smithy model, API Reference and User Guide
 * pages cited below) independently of lib/domain, so the product's decisions are tested against a second reading of
 * the documentation, not against themselves.
 */
import type { SimClock } from '../clock';
import { fail } from '../errors';
import { partitionOf, type Caller, type EdsRec, type Selector, type SimState, type TrailRec } from '../state';

export interface CallContext {
  state: SimState;
  caller: Caller;
  region: string;
  clock: SimClock;
}

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown> | undefined;
export type Operation = (input: Input, ctx: CallContext) => Output;

export const TRAIL_ARN = /^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):trail\/(.+)$/;
export const EDS_ARN = /^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):eventdatastore\/([A-Za-z0-9._-]+)$/;

/**
 * Trail name rules (`com.amazonaws.cloudtrail#InvalidTrailNameException`): ASCII letters, digits, `.`, `_`, `-`; start
 * and end with a letter or digit; 3-128 characters; no adjacent `.`, `_`, `-`; not an IP address. Messages follow
 * moto's wording.
 */
export function checkTrailName(name: string): void {
  if (name.length < 3) fail('InvalidTrailNameException', `Trail name too short. Minimum allowed length: 3 characters. Specified name length: ${name.length} characters.`);
  if (name.length > 128) fail('InvalidTrailNameException', `Trail name too long. Maximum allowed length: 128 characters. Specified name length: ${name.length} characters.`);
  if (!/^[A-Za-z0-9]/.test(name) || !/[A-Za-z0-9]$/.test(name)) fail('InvalidTrailNameException', 'Trail name must starts with a letter or number.');
  if (!/^[A-Za-z0-9._-]+$/.test(name)) fail('InvalidTrailNameException', 'Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).');
  if (/[._-]{2}/.test(name)) fail('InvalidTrailNameException', 'Trail name must not contain adjacent periods, underscores or dashes.');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) fail('InvalidTrailNameException', 'Trail name must not be in an IP address format.');
}

const unknownTrail = (ctx: CallContext, id: string): never =>
  fail('TrailNotFoundException', `Unknown trail: ${id.startsWith('arn:') ? id : `arn:${partitionOf(ctx.region)}:cloudtrail:${ctx.region}:${ctx.caller.account}:trail/${id}`} for the user: ${ctx.caller.account}`);

/**
 * Finds a trail by name or ARN (`com.amazonaws.cloudtrail#DescribeTrailsRequest$trailNameList`). A name means the
 * caller's own trail homed in this region; a shadow (its multi-region trail homed elsewhere) answers only to its ARN
 * ("To get the status of a shadow trail (a replication of the trail in another Region), you must specify its ARN",
 * `com.amazonaws.cloudtrail#GetTrailStatusRequest$Name`; the same reading for the other reads, GetTrail,
 * GetEventSelectors and GetInsightSelectors, which document nothing else). An organization trail is visible to members
 * only by ARN ("you must provide the full ARN", the same member). Writes (`shadowByName`) still find the multi-region
 * trail by name, so that calling them outside its home Region is InvalidHomeRegionException
 * (`com.amazonaws.cloudtrail#InvalidHomeRegionException`).
 */
export function findTrail(ctx: CallContext, id: unknown, shadowByName = false): TrailRec {
  if (typeof id !== 'string' || id.length === 0) return fail('InvalidTrailNameException', 'Trail name or ARN can not be empty.');
  const m = TRAIL_ARN.exec(id);
  if (id.startsWith('arn:')) {
    if (!m) return fail('CloudTrailARNInvalidException', `Invalid trail ARN: ${id}`);
    const trail = ctx.state.trails.get(id);
    const visible = trail && ctx.state.visibleTrails(ctx.caller.account, ctx.region, true).includes(trail);
    return visible ? trail : unknownTrail(ctx, id);
  }
  checkTrailName(id);
  const own = ctx.state.trailsOf(ctx.caller.account).filter((t) => t.name === id);
  return own.find((t) => t.homeRegion === ctx.region) ?? (shadowByName ? own.find((t) => t.multiRegion) : undefined) ?? unknownTrail(ctx, id);
}

/**
 * A trail may be changed only in its home region (`com.amazonaws.cloudtrail#InvalidHomeRegionException`), and an
 * organization trail only by the management account or the CloudTrail delegated administrator (the capability table of
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html; members get
 * NotOrganizationMasterAccountException, the modeled error, exact one UNVERIFIED).
 */
export function writableTrail(ctx: CallContext, id: unknown): TrailRec {
  const trail = findTrail(ctx, id, true);
  if (trail.account !== ctx.caller.account) {
    if (!(trail.organization && ctx.state.isDelegatedAdmin(ctx.caller.account)))
      fail('NotOrganizationMasterAccountException', `The account ${ctx.caller.account} is not the management account of the organization, and cannot modify the organization trail ${trail.arn}.`);
  }
  if (trail.homeRegion !== ctx.region)
    fail('InvalidHomeRegionException', `This operation must be called from the trail's home region, ${trail.homeRegion}.`);
  return trail;
}

const storeNotFound = (): never => fail('EventDataStoreNotFoundException', 'The specified event data store was not found.');

/**
 * Finds an event data store by ARN or id suffix, among those the caller sees in this region
 * (`com.amazonaws.cloudtrail#GetEventDataStoreRequest$EventDataStore`: "The ARN (or ID suffix of the ARN)").
 */
export function findStore(ctx: CallContext, id: unknown): EdsRec {
  if (typeof id !== 'string') return storeNotFound();
  if (id.includes(':') && !EDS_ARN.test(id)) return fail('EventDataStoreARNInvalidException', 'The specified event data store ARN is not valid or does not map to an event data store in your account.');
  const visible = ctx.state.visibleStores(ctx.caller.account, ctx.region);
  return visible.find((s) => s.arn === id || s.id === id) ?? storeNotFound();
}

export type StoreCapability = 'update' | 'ingestion' | 'delete' | 'insights';

/**
 * Who may change an organization event data store (the capability table of
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html): the management
 * account always; the delegated administrator for updates, ingestion and deletion but not Insights; members never.
 */
export function writableStore(ctx: CallContext, id: unknown, capability: StoreCapability): EdsRec {
  const store = findStore(ctx, id);
  if (store.account === ctx.caller.account) return store;
  const delegated = ctx.state.isDelegatedAdmin(ctx.caller.account) && capability !== 'insights';
  if (!delegated)
    fail(
      'NotOrganizationMasterAccountException',
      capability === 'insights'
        ? 'Only the management account of the organization can enable Insights on an organization event data store.'
        : `The account ${ctx.caller.account} is not the management account of the organization.`,
    );
  return store;
}

/**
 * eventCategory values (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html,
 * `eventCategory`): Management, Data and NetworkActivity anywhere; Insight, ConfigurationItem, Evidence and
 * ActivityAuditLog "used only for event data stores".
 */
const TRAIL_CATEGORIES = ['Management', 'Data', 'NetworkActivity'];
const STORE_ONLY_CATEGORIES = ['Insight', 'ConfigurationItem', 'Evidence', 'ActivityAuditLog'];
const OPERATORS = ['Equals', 'StartsWith', 'EndsWith', 'NotEquals', 'NotStartsWith', 'NotEndsWith'];

/**
 * Advanced event selectors, for trails (PutEventSelectors) and event data stores (Create/UpdateEventDataStore), per
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html: every selector has an
 * `eventCategory` field, "required and must be set to Equals", with values of the documented set (the store-only ones
 * refused on trails); Data selectors name `resources.type` ("This field is required for CloudTrail data events");
 * `readOnly` takes Equals "true" or "false" only; operators carry non-empty lists; at most 500 condition values
 * (`com.amazonaws.cloudtrail#InvalidEventSelectorsException`). On trails, management selectors filter only by readOnly
 * and by excluding kms / rdsdata (the same page). In an event data store, Insight, ConfigurationItem, Evidence and
 * ActivityAuditLog events are kept apart, in a store of their own: a store selects either one of these categories or
 * CloudTrail events (Management, Data, NetworkActivity), never both
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-event-data-store.html: "You can create event data
 * stores for CloudTrail events, CloudTrail Insights events, Config configuration items, Audit Manager evidence or
 * events outside of AWS"; an Insights store selects `eventCategory` Insight only,
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-CLI-enable.html).
 */
export function checkAdvancedSelectors(selectors: Selector[], target: 'trail' | 'eventDataStore', code: string): void {
  let values = 0;
  const categories = new Set<string>();
  for (const s of selectors) {
    const fields = (s.FieldSelectors as Record<string, unknown>[] | undefined) ?? [];
    const category = fields.find((f) => f.Field === 'eventCategory');
    if (!category) fail(code, 'Each advanced event selector needs an eventCategory field.');
    const catOps = Object.keys(category!).filter((k) => k !== 'Field');
    if (catOps.length !== 1 || !Array.isArray(category!.Equals) || category!.Equals.length === 0) fail(code, 'The eventCategory field supports only Equals.');
    const allowed = target === 'trail' ? TRAIL_CATEGORIES : [...TRAIL_CATEGORIES, ...STORE_ONLY_CATEGORIES];
    for (const c of category!.Equals as string[]) {
      if (!allowed.includes(c))
        fail(code, STORE_ONLY_CATEGORIES.includes(c) ? `eventCategory ${c} is supported only on event data stores, not on trails.` : `eventCategory ${c} is not valid; use one of ${allowed.join(', ')}.`);
      categories.add(c);
    }
    const cats = category!.Equals as string[];
    if (cats.includes('Data') && !fields.some((f) => f.Field === 'resources.type')) fail(code, 'An advanced event selector for data events needs a resources.type field.');
    // "For event data stores for CloudTrail Insights events, Config configuration items, Audit Manager evidence, or
    // events outside of Amazon Web Services, the field is used only for selecting events as filtering is not
    // supported" (`com.amazonaws.cloudtrail#AdvancedFieldSelector$Field`).
    if (cats.some((c) => STORE_ONLY_CATEGORIES.includes(c)) && fields.some((f) => f.Field !== 'eventCategory'))
      fail(code, `An event data store for eventCategory ${cats.join(', ')} supports no filtering: eventCategory is its only field.`);
    for (const f of fields) {
      for (const op of OPERATORS) {
        const v = f[op];
        if (v === undefined) continue;
        if (!Array.isArray(v) || v.length === 0) fail(code, `Field ${String(f.Field)}: ${op} must be a non-empty list.`);
        values += (v as unknown[]).length;
      }
      if (f.Field === 'readOnly') {
        const ops = Object.keys(f).filter((k) => k !== 'Field');
        const eq = f.Equals as string[] | undefined;
        if (ops.length !== 1 || !eq || eq.some((x) => x !== 'true' && x !== 'false')) fail(code, 'The readOnly field supports only Equals with "true" or "false".');
      }
      if (target === 'trail' && cats.includes('Management') && !['eventCategory', 'readOnly'].includes(f.Field as string)) {
        const onlyExclusion = f.Field === 'eventSource' && Object.keys(f).every((k) => k === 'Field' || k === 'NotEquals') && (f.NotEquals as string[]).every((x) => ['kms.amazonaws.com', 'rdsdata.amazonaws.com'].includes(x));
        if (!onlyExclusion) fail(code, `Field ${String(f.Field)} is not supported for management events on trails.`);
      }
    }
  }
  if (values > 500) fail(code, 'Advanced event selectors can have at most 500 condition values in total.');
  const apart = [...categories].filter((c) => STORE_ONLY_CATEGORIES.includes(c));
  if (apart.length > 0 && categories.size > 1)
    fail(code, `An event data store for eventCategory ${apart[0]} selects only that category; it cannot also select ${[...categories].filter((c) => c !== apart[0]).join(', ')}.`);
}

export interface Logged {
  managementRead: boolean;
  managementWrite: boolean;
  dataEvents: boolean;
  categories: Set<string>;
}

/**
 * What selectors log (`com.amazonaws.cloudtrail#EventSelector`,
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html). Basic: ReadWriteType
 * defaults to All, IncludeManagementEvents to true. Advanced: eventCategory Equals; readOnly Equals "true"/"false",
 * absent = both. A trail never configured logs all management events (`com.amazonaws.cloudtrail#PutEventSelectors`).
 */
export function logged(basic: Selector[] | undefined, advanced: Selector[] | undefined): Logged {
  const out: Logged = { managementRead: false, managementWrite: false, dataEvents: false, categories: new Set() };
  if (!basic && !advanced) return { managementRead: true, managementWrite: true, dataEvents: false, categories: new Set(['Management']) };
  for (const s of basic ?? []) {
    const rwt = (s.ReadWriteType as string | undefined) ?? 'All';
    if ((s.DataResources as unknown[] | undefined)?.length) (out.dataEvents = true), out.categories.add('Data');
    if (s.IncludeManagementEvents === false) continue;
    out.categories.add('Management');
    if (rwt !== 'WriteOnly') out.managementRead = true;
    if (rwt !== 'ReadOnly') out.managementWrite = true;
  }
  for (const s of advanced ?? []) {
    const fields = (s.FieldSelectors as { Field: string; Equals?: string[] }[]) ?? [];
    const cats = fields.find((f) => f.Field === 'eventCategory')?.Equals ?? [];
    cats.forEach((c) => out.categories.add(c));
    if (cats.includes('Data')) out.dataEvents = true;
    if (!cats.includes('Management')) continue;
    const ro = fields.find((f) => f.Field === 'readOnly')?.Equals;
    if (!ro || ro.includes('true')) out.managementRead = true;
    if (!ro || ro.includes('false')) out.managementWrite = true;
  }
  return out;
}

export const trailLogged = (t: TrailRec): Logged => logged(t.eventSelectors, t.advancedEventSelectors);
export const storeLogged = (s: EdsRec): Logged => logged(undefined, s.advancedEventSelectors);

