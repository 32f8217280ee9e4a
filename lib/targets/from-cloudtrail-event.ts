/**
 * What one EventBridge event means to the product, decided without calling AWS: "check" a trail, an event data store
 * or an account-region; "observe" an Insights delivery; or "ignore", always with the reason. A data table maps each
 * CloudTrail write that can affect Insights to its target, from requestParameters / responseElements (a name, an ARN
 * or a bare id, resolved with the event's account and region; keys are the API member names in lowerCamelCase, as the
 * example records of https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html show). Pure.
 */
import { parseCloudTrailArn, resolveCloudTrailArn } from '../domain/arn';
import { clockEffectOfApiCall, type ClockEffect } from '../domain/insights-clock';
import { ACCOUNT_ID, isReadOnlyOperation, quoted, REGION_NAME } from '../domain/names';
import { partitionOf } from '../domain/partitions';
import { accountScope, regionScope, usesOrganizationalUnits } from '../domain/scope';
import type { Policy } from '../policy/schema';

/** A trail name or event data store id as CloudTrail makes them. */
const CLOUDTRAIL_ID = /^[A-Za-z0-9._-]+$/;

export interface EventTarget {
  kind: 'trail' | 'eventDataStore' | 'accountRegion';
  accountId: string;
  region: string;
  name?: string;
  arn?: string;
}

export interface EventInterpretation {
  decision: 'check' | 'ignore' | 'observe';
  reason: string;
  eventName: string | null;
  target: EventTarget | null;
  /**
   * The call can open a new Insights delivery window (36 hours / 7 days,
   * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-understanding.html).
   */
  restartsInsightsClock: boolean;
  clockEffect?: ClockEffect;
  /**
   * The call can take coverage away from account-regions other than its target's: a source deleted, an organization
   * source made an account one, a multi-Region source made single-Region. `arn` names the source.
   */
  coverageLoss?: { arn: string; changes: CoverageChange[] };
  /** Who made the call, for "who did it". */
  actor?: string;
  /**
   * The call was made with one of the product's roles, by exact ARN in the exact account. Not skipped for that: the
   * source is still checked (a source already right makes no write, which is what ends loops), and whether the product
   * itself made the call is settled against the ledger (lib/pipeline/handle-event.ts).
   */
  ownRole?: string;
  /** The call's requestParameters, for telling the product's own write from another made with its role. */
  request?: Record<string, unknown>;
  eventId?: string;
  eventTime?: string;
}

/** The product's roles: its function roles in the management account, and the role it assumes in member accounts. */
export interface OwnRoles {
  managementAccountId: string;
  functionRoleNames: readonly string[];
  memberRoleName: string;
}

export interface InterpretOptions {
  policy?: Policy;
  /**
   * Who the product is (matched on `userIdentity.sessionContext.sessionIssuer.arn` and `.accountId`,
   * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html). Also
   * binds targets: a call may only name a source of its own account, or of the management account (an organization
   * source a delegated administrator manages).
   */
  ownRoles?: OwnRoles;
}

/** Longest source identifier read from an event: CloudTrail names are at most 128 characters, ARNs well under 1,024. */
const MAX_ID_LENGTH = 1024;

export type CoverageChange = 'deleted' | 'organizationOff' | 'multiRegionOff';

type Rec = Record<string, unknown>;
type Locate = (req: Rec, res: Rec) => { kind: 'trail' | 'eventDataStore' | 'accountRegion'; id?: unknown };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** Untrusted values in reasons: objects from the wire may carry hostile toString / valueOf / toJSON members. */
/** An identifier-like value as it is; anything else quoted (one line, cut short). */
function shown(v: unknown): string {
  return typeof v === 'string' && /^[\w.:/@+=,-]{1,128}$/.test(v) ? v : printable(v);
}

function printable(v: unknown): string {
  if (typeof v === 'string') return quoted(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : typeof v;
}
const trail = (...ids: unknown[]) => ({ kind: 'trail' as const, id: ids.map(str).find(Boolean) });
const store = (...ids: unknown[]) => ({ kind: 'eventDataStore' as const, id: ids.map(str).find(Boolean) });

/**
 * Every CloudTrail write that can affect Insights, and where its target is. A deleted source triggers a coverage check
 * of its account-region. Tags matter when the policy selects by tag.
 */
export const TARGET_BY_EVENT: Readonly<Record<string, Locate>> = {
  CreateTrail: (q, r) => trail(r.trailARN, q.name),
  UpdateTrail: (q, r) => trail(r.trailARN, q.name),
  DeleteTrail: () => ({ kind: 'accountRegion' }),
  StartLogging: (q) => trail(q.name),
  StopLogging: (q) => trail(q.name),
  PutEventSelectors: (q, r) => trail(r.trailARN, q.trailName),
  PutInsightSelectors: (q, r) => (str(q.eventDataStore) || str(r.eventDataStoreArn) ? store(r.eventDataStoreArn, q.eventDataStore) : trail(r.trailARN, q.trailName)),
  PutEventConfiguration: (q, r) => (str(q.eventDataStore) ? store(r.eventDataStoreArn, q.eventDataStore) : trail(r.trailARN, q.trailName)),
  CreateEventDataStore: (q, r) => store(r.eventDataStoreArn, q.name),
  UpdateEventDataStore: (q, r) => store(r.eventDataStoreArn, q.eventDataStore),
  DeleteEventDataStore: () => ({ kind: 'accountRegion' }),
  RestoreEventDataStore: (q, r) => store(r.eventDataStoreArn, q.eventDataStore),
  StartEventDataStoreIngestion: (q) => store(q.eventDataStore),
  StopEventDataStoreIngestion: (q) => store(q.eventDataStore),
  AddTags: (q) => (/:eventdatastore\//.test(str(q.resourceId) ?? '') ? store(q.resourceId) : trail(q.resourceId)),
  RemoveTags: (q) => (/:eventdatastore\//.test(str(q.resourceId) ?? '') ? store(q.resourceId) : trail(q.resourceId)),
};

const isObject = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const ignore = (reason: string, extra: Partial<EventInterpretation> = {}): EventInterpretation => ({ decision: 'ignore', reason, eventName: null, target: null, restartsInsightsClock: false, ...extra });

function actorOf(identity: unknown): string | undefined {
  if (!isObject(identity)) return undefined;
  const issuer = isObject(identity.sessionContext) && isObject(identity.sessionContext.sessionIssuer) ? identity.sessionContext.sessionIssuer : undefined;
  return str(identity.arn) ?? str(issuer?.arn) ?? str(identity.principalId) ?? str(identity.type);
}

/** Accepts an EventBridge envelope or a bare CloudTrail record. Never throws. */
export function interpretEvent(input: unknown, options: InterpretOptions = {}): EventInterpretation {
  if (!isObject(input)) return ignore('not an event: expected a JSON object');
  const envelope = isObject(input.detail) ? input : undefined;
  const detail = (envelope ? input.detail : input) as Rec;
  const detailType = envelope ? str(envelope['detail-type']) : detail.eventType === 'AwsCloudTrailInsight' ? 'AWS Insight via CloudTrail' : 'AWS API Call via CloudTrail';
  const accountId = str(detail.recipientAccountId) ?? str(envelope?.account) ?? str(isObject(detail.userIdentity) ? detail.userIdentity.accountId : undefined);
  const region = str(detail.awsRegion) ?? str(envelope?.region);
  const eventId = str(detail.eventID);
  const eventTime = str(detail.eventTime) ?? str(envelope?.time);
  const base = { ...(eventId && { eventId }), ...(eventTime && { eventTime }) };

  if (detailType === 'AWS Insight via CloudTrail') {
    if (!accountId || !ACCOUNT_ID.test(accountId) || !region) return ignore('an Insights event without a valid account and region', base);
    const source = str(detail.insightSource);
    const target: EventTarget = source && parseCloudTrailArn(source) ? { kind: 'eventDataStore', accountId, region, arn: source } : { kind: 'accountRegion', accountId, region };
    const details = isObject(detail.insightDetails) ? detail.insightDetails : detail;
    return { decision: 'observe', reason: `Insights delivered (${shown(str(details.insightType) ?? 'Insights')}, ${shown(str(details.state) ?? str(detail.insightState) ?? 'Start')}): the delivery window of ${source ? 'the store' : 'the account-region'} is over`, eventName: null, target, restartsInsightsClock: false, ...base };
  }
  if (detailType !== 'AWS API Call via CloudTrail') return ignore(`detail-type ${printable(detailType ?? null)} is not "AWS API Call via CloudTrail"`, base);

  const eventName = str(detail.eventName);
  const named = { ...base, eventName: eventName ?? null };
  if (!eventName) return ignore('the record has no eventName', named);
  if (detail.eventSource !== 'cloudtrail.amazonaws.com') return ignore(`eventSource ${printable(detail.eventSource ?? null)} is not cloudtrail.amazonaws.com`, named);
  if (detail.errorCode !== undefined && detail.errorCode !== null) return ignore(`the call failed (${shown(detail.errorCode)}): nothing changed`, named);
  if (detail.readOnly === true || isReadOnlyOperation(eventName)) return ignore(`${shown(eventName)} is read-only`, named);
  const locate = Object.hasOwn(TARGET_BY_EVENT, eventName) ? TARGET_BY_EVENT[eventName] : undefined;
  if (!locate) return ignore(`${shown(eventName)} cannot affect Insights`, named);
  if (!accountId || !ACCOUNT_ID.test(accountId)) return ignore('the record has no valid recipientAccountId', named);
  if (!region || !REGION_NAME.test(region)) return ignore('the record has no valid awsRegion', named);

  const envelopeAccount = str(envelope?.account);
  if (envelopeAccount && str(detail.recipientAccountId) && envelopeAccount !== detail.recipientAccountId)
    return ignore(`the envelope's account ${shown(envelopeAccount)} is not the record's recipientAccountId ${shown(detail.recipientAccountId)}: not trusted`, named);
  const actor = actorOf(detail.userIdentity);
  const ownRole = options.ownRoles && ownRoleOf(detail.userIdentity, accountId, options.ownRoles);

  const req = isObject(detail.requestParameters) ? detail.requestParameters : {};
  const res = isObject(detail.responseElements) ? detail.responseElements : {};
  const where = locate(req, res);
  let target: EventTarget;
  if (where.kind === 'accountRegion') target = { kind: 'accountRegion', accountId, region };
  else {
    const id = str(where.id);
    if (!id) return ignore(`${eventName} names no ${where.kind === 'trail' ? 'trail' : 'event data store'}`, { ...named, ...(actor && { actor }) });
    if (id.length > MAX_ID_LENGTH) return ignore(`${eventName} names a ${where.kind === 'trail' ? 'trail' : 'event data store'} of ${id.length} characters: no CloudTrail identifier is that long`, { ...named, ...(actor && { actor }) });
    const arn = resolveCloudTrailArn(id, where.kind === 'trail' ? 'trail' : 'eventdatastore', { accountId, region });
    const parsed = parseCloudTrailArn(arn);
    // Trail names and store ids are ASCII letters, digits, '.', '_' and '-' (CreateTrail's naming rules; store ids are
    // generated so); and an ARN belongs to the partition of its region, which is the record's own.
    if (!parsed || !CLOUDTRAIL_ID.test(parsed.resourceId)) return ignore(`${eventName} names ${printable(id)}, which is not a CloudTrail ${where.kind === 'trail' ? 'trail' : 'event data store'} ARN or name`, { ...named, ...(actor && { actor }) });
    if (partitionOf(parsed.region) !== parsed.partition || partitionOf(parsed.region) !== partitionOf(region))
      return ignore(`${eventName} names ${printable(arn)}: partition ${parsed.partition} and region ${printable(parsed.region)} do not go together with a call made in ${region}`, { ...named, ...(actor && { actor }) });
    // A name or id is the caller's; an ARN says whose and where (an organization source lives in the management account).
    target = { kind: where.kind, accountId: parsed.accountId, region: parsed.region, arn, ...(where.kind === 'trail' && { name: parsed.resourceId }) };
    // A call changes only its own account's sources, or the management account's (an organization source a delegated
    // administrator manages): a record naming another account's source is not believed.
    if (options.ownRoles && target.accountId !== accountId && target.accountId !== options.ownRoles.managementAccountId)
      return ignore(`${eventName} in account ${accountId} names ${arn}, a source of account ${target.accountId}: not trusted`, { ...named, ...(actor && { actor }) });
  }

  if (options.policy) {
    const account = usesOrganizationalUnits(options.policy) ? { inScope: true as const } : accountScope(options.policy, target.accountId);
    if (!account.inScope) return ignore(account.reason, { ...named, target, ...(actor && { actor }) });
    const inRegion = regionScope(options.policy, target.region);
    if (!inRegion.inScope) return ignore(inRegion.reason, { ...named, target, ...(actor && { actor }) });
  }

  const loss = coverageLossOf(eventName, req, res, { accountId, region });
  const clockEffect = clockEffectOfApiCall(eventName, req, res);
  const restarts = clockEffect?.type === 'loggingStarted' || (clockEffect?.type === 'insightsSet' && clockEffect.channels.length > 0);
  const what = where.kind === 'accountRegion' ? `a source was deleted: check the coverage of ${accountId} ${region}` : `${eventName} changed ${target.arn}: check it against the policy`;
  const why = ownRole ? `${what} (made with the product's role ${ownRole})` : what;
  return { decision: 'check', reason: why, eventName, target, restartsInsightsClock: restarts, ...(clockEffect && { clockEffect }), ...(loss && { coverageLoss: loss }), ...(actor && { actor }), ...(ownRole && { ownRole, request: req }), ...base };
}

/**
 * The product's role that made the call, by exact ARN: a function role in the management account, or the member
 * role in the call's own account. A role of the same name anywhere else is someone else's.
 */
function ownRoleOf(identity: unknown, account: string, own: OwnRoles): string | undefined {
  if (!isObject(identity) || !isObject(identity.sessionContext) || !isObject(identity.sessionContext.sessionIssuer)) return undefined;
  const issuer = identity.sessionContext.sessionIssuer;
  const arn = str(issuer.arn);
  const issuerAccount = str(issuer.accountId) ?? str(identity.accountId);
  if (!arn || str(issuer.type) !== 'Role') return undefined;
  const role = /^arn:aws[a-z-]*:iam::(\d{12}):role\/([\w+=,.@-]{1,64})$/.exec(arn);
  if (!role || role[1] !== issuerAccount) return undefined;
  const [, roleAccount, name] = role;
  if (roleAccount === own.managementAccountId && own.functionRoleNames.includes(name!)) return arn;
  if (roleAccount === account && name === own.memberRoleName) return arn;
  return undefined;
}

/**
 * What a call takes away beyond its own account-region: DeleteTrail / DeleteEventDataStore (the source, named by its
 * request), and UpdateTrail / UpdateEventDataStore turning IsOrganizationTrail / OrganizationEnabled or
 * IsMultiRegionTrail / MultiRegionEnabled off (`com.amazonaws.cloudtrail#UpdateTrailRequest`,
 * `com.amazonaws.cloudtrail#UpdateEventDataStoreRequest`).
 */
function coverageLossOf(eventName: string, req: Rec, res: Rec, where: { accountId: string; region: string }): EventInterpretation['coverageLoss'] {
  const arnOf = (kind: 'trail' | 'eventdatastore', ...ids: unknown[]) => {
    const id = ids.map(str).find(Boolean);
    return id ? resolveCloudTrailArn(id, kind, where) : undefined;
  };
  const changes: CoverageChange[] = [];
  let arn: string | undefined;
  switch (eventName) {
    case 'DeleteTrail':
      arn = arnOf('trail', req.name);
      changes.push('deleted');
      break;
    case 'DeleteEventDataStore':
      arn = arnOf('eventdatastore', req.eventDataStore);
      changes.push('deleted');
      break;
    case 'UpdateTrail':
      arn = arnOf('trail', res.trailARN, req.name);
      if (req.isOrganizationTrail === false) changes.push('organizationOff');
      if (req.isMultiRegionTrail === false) changes.push('multiRegionOff');
      break;
    case 'UpdateEventDataStore':
      arn = arnOf('eventdatastore', res.eventDataStoreArn, req.eventDataStore);
      if (req.organizationEnabled === false) changes.push('organizationOff');
      if (req.multiRegionEnabled === false) changes.push('multiRegionOff');
      break;
  }
  return arn && changes.length ? { arn, changes } : undefined;
}
