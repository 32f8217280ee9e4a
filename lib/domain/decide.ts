/**
 * The decision every mode of the product makes about one source: given the policy, the observed state, the
 * ledger's clock facts and the time, what is wrong (a finding) and the fewest, least disruptive writes that fix it
 * (an ordered plan). Pure: no I/O, no clock reads, no @aws-sdk.
 *
 * Rules (each tested; sources in docs/rules.md):
 * - nothing is written when the state already satisfies the policy, and nothing is ever disabled or toggled: a write
 *   that restarts the Insights clock is a cost
 *   (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-understanding.html);
 * - ApiCallRateInsight needs write management events, ApiErrorRateInsight read or write
 *   (`com.amazonaws.cloudtrail#PutInsightSelectors`); Data-category Insights need data events and exist on trails only
 *   (same);
 * - an event data store delivers to an Insight-category store of the same account
 *   (`com.amazonaws.cloudtrail#PutInsightSelectors`, `com.amazonaws.cloudtrail#InvalidInsightSelectorsException`);
 * - organization sources are written only from the management account, shadow copies never
 *   (`com.amazonaws.cloudtrail#InvalidHomeRegionException`,
 *   https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html).
 */
import { clockAfter, createdDestinationRef, CREATED_DESTINATION_TAG, type Action } from './actions';
import { parseCloudTrailArn, resolveCloudTrailArn } from './arn';
import { advancedCoverage, repairAdvancedSelectors, repairBasicSelectors, satisfies, trailCoverage, type EventCoverage, type ManagementNeed, type SelectorRepair } from './event-selectors';
import { channel, channelsOf, parseChannel, selectorsOf, sortChannels, type Channel } from './insight-channels';
import { insightsClock, isLoggingOn, reconcileClockFacts, type ClockFacts, type InsightsClock } from './insights-clock';
import { quoted, utcMinute } from './names';
import type { DecisionContext, EventDataStoreState, SourceKind, SourceRef, SourceState } from './model';
import type { CreateDestinationPolicy, Policy } from '../policy/schema';
import { accountScope, matchExemptions, regionScope, sourceSelection } from './scope';

/**
 * `not-needed` is given by the coverage objective, never by decide(): the source's account-regions are analyzed by
 * another carrier, so what it lacks is no drift (lib/pipeline/coverage.ts).
 */
export type FindingStatus = 'compliant' | 'pending-first-delivery' | 'drifted' | 'exempt' | 'not-remediable' | 'out-of-scope' | 'not-needed';

export type DriftCode =
  | 'insightsOff'
  | 'insightChannelMissing'
  | 'managementEventsNotLogged'
  | 'dataEventsNotLogged'
  | 'loggingStopped'
  | 'ingestionStopped'
  | 'ingestionTransitioning'
  | 'destinationInvalid'
  | 'destinationMismatch'
  | 'destinationMissing';

export interface DriftReason {
  code: DriftCode;
  message: string;
}

export type BlockerCode =
  | 'managementEventsNarrowed'
  | 'selectorLimitReached'
  | 'prerequisiteRepairDisabled'
  | 'dataEventsNotLogged'
  | 'destinationMissing'
  | 'destinationInvalid'
  /** CloudTrail's quota of event data stores per account and region is reached: no destination can be created. */
  | 'eventDataStoreLimitReached'
  | 'notOwnedByManagementAccount'
  /** AWS refused the write: an SCP's explicit deny (lib/aws/classify-error.ts). */
  | 'blockedByOrganizationPolicy'
  /** AWS refused the write: the trail's bucket or key policy (PutInsightSelectors' modeled errors). */
  | 'deliveryRefused'
  | 'transitional';

/** Why (part of) the drift cannot be repaired by the product, and what a person must do. */
export interface Blocker {
  code: BlockerCode;
  message: string;
  remedy: string;
  /** Resolves by itself (a store between ingestion states): the next sweep retries. */
  transient: boolean;
}

export interface Finding {
  status: FindingStatus;
  /** One line for a person. */
  summary: string;
  reasons: DriftReason[];
  blockers: Blocker[];
  /** For pending-first-delivery: when delivery is expected by. */
  pendingUntil?: string;
  exemption?: { reason: string; expiresAt: string };
  /** Matching exemptions that expired: they no longer apply. */
  expiredExemptions: { reason: string; expiresAt: string }[];
  /** For shadow copies: where the source is evaluated and repaired instead. */
  managedFrom?: { accountId: string; region: string };
  /** Worth a person's look without being drift (a trail's LatestDeliveryError). */
  warnings?: string[];
}


export interface Decision {
  source: SourceRef;
  finding: Finding;
  /** Ordered writes: event selectors, then logging / ingestion, then Insights. Empty unless drift is repairable. */
  actions: Action[];
  /** The clock now, from the ledger's facts reconciled with what is observed. */
  clock: InsightsClock;
  clockFacts: ClockFacts;
  /** The reconciled facts differ from the stored ones: the ledger should store them. */
  clockFactsChanged: boolean;
  /** The clock if every action succeeds now: restarts are the cost of the plan. */
  projectedClock: InsightsClock;
}

export interface DecisionInput {
  policy: Policy;
  source: SourceState;
  context: DecisionContext;
  clockFacts?: ClockFacts;
  now: Date;
}

const KIND_NOUN: Record<SourceKind, string> = { trail: 'trail', eventDataStore: 'event data store' };

/**
 * @example
 * decide({ policy, source: trailLoggingOnlyReads, context, now })
 * // -> finding.status 'drifted' (managementEventsNotLogged, insightsOff) and actions
 * //    [PutEventSelectors(ReadWriteType All, data resources kept), PutInsightSelectors(ApiCallRate, ApiErrorRate)]
 */
export function decide(input: DecisionInput): Decision {
  const { policy, source, context, now } = input;
  const { facts, changed } = reconcileClockFacts(input.clockFacts, source, now);
  const clock = insightsClock(facts, now);
  const result = (finding: Finding, actions: Action[] = []): Decision => ({
    source: refOf(source),
    finding,
    actions,
    clock,
    clockFacts: facts,
    clockFactsChanged: changed,
    projectedClock: projectClock(facts, actions, now),
  });

  const scope = scopeVerdict(policy, source, context);
  if (scope) return result(scope);

  const exemptions = matchExemptions(policy, source, now);
  const expiredExemptions = exemptions.expired.map(({ reason, expiresAt }) => ({ reason, expiresAt }));
  const analysis = analyze(policy, source, context);

  if (exemptions.active) {
    const { reason, expiresAt, expires } = exemptions.active;
    return result({
      status: 'exempt',
      summary: `exempt (expires ${expires}): ${reason}${analysis.reasons.length ? ` (would be: ${joinMessages(analysis.reasons)})` : ''}`,
      reasons: analysis.reasons,
      blockers: [],
      exemption: { reason, expiresAt },
      expiredExemptions,
    });
  }

  const expiredNote =
    (exemptions.expired.length ? ` (exemption expired ${exemptions.expired[0]!.expires}: ${exemptions.expired[0]!.reason})` : '') +
    analysis.warnings.map((w) => `; warning: ${w}`).join('');
  const warned = analysis.warnings.length ? { warnings: analysis.warnings } : {};
  if (analysis.reasons.length === 0) {
    if (clock.status === 'pending-first-delivery') {
      return result({
        status: 'pending-first-delivery',
        summary: `Insights on; ${KIND_NOUN[source.kind]} delivery may take up to ${source.kind === 'trail' ? '36 hours' : '7 days'}: expected by ${utcMinute(clock.windowEnd!)}${expiredNote}`,
        reasons: [],
        blockers: [],
        pendingUntil: clock.windowEnd!,
        expiredExemptions,
        ...warned,
      });
    }
    return result({ status: 'compliant', summary: `Insights on (${describeChannels(channelsOf(source.insightSelectors))})${expiredNote}`, reasons: [], blockers: [], expiredExemptions, ...warned });
  }
  const remediable = analysis.blockers.every((b) => b.transient);
  // A not-remediable finding never carries a write: where part of the repair still serves the objective (Management
  // Insights on a trail whose Data channel needs a person, ApiErrorRateInsight on read-only selectors) the finding is
  // drifted, says what will be left for a person, and the next check finds only that.
  const partly = !remediable && analysis.actions.length > 0;
  return result(
    {
      status: remediable || partly ? 'drifted' : 'not-remediable',
      summary: joinMessages(analysis.reasons) + (remediable ? '' : partly ? partlyNote(analysis) : notRemediableNote(analysis)) + expiredNote,
      reasons: analysis.reasons,
      blockers: analysis.blockers,
      expiredExemptions,
      ...warned,
    },
    analysis.actions,
  );
}

const joinMessages = (items: { message: string }[]): string => items.map((i) => i.message).join('; ');

function notRemediableNote(a: Analysis): string {
  const said = new Set(a.reasons.map((r) => r.message));
  const extra = a.blockers.filter((b) => !b.transient && !said.has(b.message));
  return `; not remediable by the product${extra.length ? `: ${joinMessages(extra)}` : ''}`;
}

function partlyNote(a: Analysis): string {
  const rest = a.blockers.filter((b) => !b.transient);
  return `; the product repairs what it can, then a person must: ${rest.map((b) => b.remedy).join('; ')}`;
}

function refOf(s: SourceState): SourceRef {
  return { kind: s.kind, arn: s.arn, name: s.name, accountId: s.accountId, observedFromAccountId: s.observedFromAccountId, region: s.region, homeRegion: s.homeRegion };
}

function projectClock(facts: ClockFacts, actions: Action[], now: Date): InsightsClock {
  return insightsClock(clockAfter(facts, actions.map((action) => ({ action })), now.toISOString()), now);
}

function outOfScope(summary: string, extra: Partial<Finding> = {}): Finding {
  return { status: 'out-of-scope', summary, reasons: [], blockers: [], expiredExemptions: [], ...extra };
}

/** Out-of-scope verdicts, in the order a person would ask: is it ours to judge here, and is it selected? */
function scopeVerdict(policy: Policy, source: SourceState, context: DecisionContext): Finding | undefined {
  if (source.observedFromAccountId !== source.accountId || source.region !== source.homeRegion) {
    // Custodian's IsShadow rule: act only on the home copy, in the owner account and home region.
    return outOfScope(`shadow copy of ${source.arn}: evaluated and repaired in account ${source.accountId}, region ${source.homeRegion}`, {
      managedFrom: { accountId: source.accountId, region: source.homeRegion },
    });
  }
  const account = accountScope(policy, source.accountId, context.accountOuPath);
  if (!account.inScope) return outOfScope(account.reason);
  const region = regionScope(policy, source.homeRegion);
  if (!region.inScope) return outOfScope(region.reason);
  if (source.kind === 'eventDataStore') {
    const cov = advancedCoverage(source.advancedEventSelectors);
    if (cov.categories.includes('Insight')) return outOfScope('an Insights destination store: it receives Insights, it does not analyze events');
    if (source.status === 'PENDING_DELETION') return outOfScope('pending deletion: the store stops ingesting and is deleted after 7 days');
    if (!cov.anyManagement && source.insightSelectors.length === 0)
      return outOfScope(`logs no management events (${cov.categories.join(', ') || 'no'} events): Insights on event data stores analyze management events only`);
  }
  // A data-only trail keeps its purpose: logging management events on it too would make it a billed second copy
  // (`com.amazonaws.cloudtrail#EventSelector$IncludeManagementEvents`), so only an explicit everySource opt-in does it.
  if (source.kind === 'trail' && !addsManagementToDataOnlyTrails(policy) && !trailCoverage(source.eventSelectors).anyManagement && source.insightSelectors.length === 0)
    return outOfScope('logs data events only: Insights would need management events on it, a billed second copy of them; left as it is (trails.managementEventsOnDataOnlyTrails)');
  const selection = sourceSelection(policy, source);
  if (!selection.inScope) return outOfScope(selection.reason);
  return undefined;
}

const addsManagementToDataOnlyTrails = (policy: Policy): boolean => policy.objective === 'everySource' && policy.trails.managementEventsOnDataOnlyTrails === 'add';

interface Analysis {
  reasons: DriftReason[];
  blockers: Blocker[];
  actions: Action[];
  /** Worth a person's look, but no drift: nothing is planned or withheld for them. */
  warnings: string[];
}

/**
 * What keeps a source from analyzing what the policy asks of its kind, whatever its scope, selection or exemption:
 * empty when its Insights analyze the policy's types on management events it logs and it is logging or ingesting.
 */
export const driftReasons = (policy: Policy, source: SourceState, context: DecisionContext): DriftReason[] => analyze(policy, source, context).reasons;

function analyze(policy: Policy, source: SourceState, context: DecisionContext): Analysis {
  const a: Analysis = { reasons: [], blockers: [], actions: [], warnings: [] };
  const current = channelsOf(source.insightSelectors);
  const coverage = source.kind === 'trail' ? trailCoverage(source.eventSelectors) : advancedCoverage(source.advancedEventSelectors);
  const required = requiredChannels(policy, source, coverage);
  const desired = new Set([...current, ...required]);
  const unsatisfiable = new Set<Channel>();
  const actionBase = { accountId: source.accountId, region: source.homeRegion, sourceArn: source.arn };

  const missing = sortChannels([...required].filter((c) => !current.has(c)));
  if (current.size === 0) a.reasons.push({ code: 'insightsOff', message: `Insights are off; the policy requires ${describeChannels(required)}` });
  else if (missing.length > 0) a.reasons.push({ code: 'insightChannelMissing', message: `${describeChannels(missing)} ${missing.length === 1 ? 'is' : 'are'} off` });

  // Data-event Insights need data events; the product never invents data-event selectors (cost, intent).
  const dataChannels = [...desired].filter((c) => parseChannel(c).category === 'Data');
  if (dataChannels.length > 0 && !coverage.dataEvents) {
    const message = `the trail logs no data events, which ${describeChannels(dataChannels)} needs`;
    a.reasons.push({ code: 'dataEventsNotLogged', message });
    a.blockers.push({
      code: 'dataEventsNotLogged',
      message,
      remedy: 'add data-event selectors for the resources to analyze, or set trails.dataCategory to whenLogged',
      transient: false,
    });
    dataChannels.forEach((c) => unsatisfiable.add(c));
  }

  // Management events: ApiCallRateInsight needs write, ApiErrorRateInsight read or write
  // (`com.amazonaws.cloudtrail#PutInsightSelectors`).
  const need: ManagementNeed = desired.has(channel('ApiCallRateInsight', 'Management'))
    ? 'write'
    : desired.has(channel('ApiErrorRateInsight', 'Management'))
      ? 'readOrWrite'
      : 'none';
  if (!satisfies(coverage, need)) {
    const message = `${describeCoverage(coverage)}; ${need === 'write' ? 'ApiCallRateInsight needs write management events' : 'ApiErrorRateInsight needs read or write management events'}`;
    a.reasons.push({ code: 'managementEventsNotLogged', message });
    const repaired = repairSelectors(source, need);
    const repairAllowed = policy.prerequisites.eventSelectors === 'repair';
    if (!repaired.ok) {
      a.blockers.push({ code: repaired.code, message: repaired.message, remedy: repaired.remedy, transient: false });
    } else if (!repairAllowed) {
      a.blockers.push({
        code: 'prerequisiteRepairDisabled',
        message: 'prerequisites.eventSelectors is report',
        remedy: `change the event selectors yourself (${repaired.summary}) or set prerequisites.eventSelectors to repair`,
        transient: false,
      });
    } else {
      const secondCopy = source.kind === 'trail' && !coverage.anyManagement ? '; the trail becomes a billed second copy of management events' : '';
      a.actions.push(repaired.action(actionBase, message + secondCopy));
    }
    if (!repaired.ok || !repairAllowed) {
      if (!coverage.managementWrite) unsatisfiable.add(channel('ApiCallRateInsight', 'Management'));
      if (!coverage.managementWrite && !coverage.managementRead) unsatisfiable.add(channel('ApiErrorRateInsight', 'Management'));
    }
  }

  const transitional = loggingPrerequisite(policy, source, a, actionBase);

  let destination: string | undefined;
  let destinationChange = false;
  let createDestination: Action | undefined;
  if (source.kind === 'eventDataStore') {
    const d = chooseDestination(policy, source, context);
    a.reasons.push(...d.reasons);
    a.blockers.push(...d.blockers);
    destination = d.arn;
    destinationChange = d.arn !== undefined && d.arn !== source.insightsDestination;
    createDestination = d.create;
  }

  // Whether CloudTrail clears LatestDeliveryError once the bucket is fixed is undocumented, so it only warns:
  // PutInsightSelectors' own modeled errors (InsufficientS3BucketPolicyException, ...) decide "not remediable"
  // (lib/aws/classify-error.ts deliveryPrerequisite).
  if (source.kind === 'trail' && source.latestDeliveryError)
    a.warnings.push(`the trail's latest delivery to its S3 bucket failed (LatestDeliveryError: ${quoted(source.latestDeliveryError, 120)}); Insights are delivered there too`);


  // The full replacement list keeps every channel already on (never a disable) and adds what can be added.
  const put = new Set([...desired].filter((c) => !unsatisfiable.has(c)));
  const addsChannels = [...put].some((c) => !current.has(c));
  const dropsExisting = [...current].some((c) => unsatisfiable.has(c));
  const eds = source.kind === 'eventDataStore';
  if ((addsChannels || destinationChange) && !dropsExisting && !(eds && destination === undefined)) {
    const insightSelectors = selectorsOf(put);
    if (createDestination) a.actions.push(createDestination);
    a.actions.push({
      ...actionBase,
      kind: 'putInsightSelectors',
      operation: 'PutInsightSelectors',
      why: [missing.length > 0 ? `enable ${describeChannels(missing.filter((c) => put.has(c)))}` : '', destinationChange ? `deliver to ${destination}` : '']
        .filter(Boolean)
        .join('; '),
      input: eds ? { EventDataStore: source.arn, InsightsDestination: destination!, InsightSelectors: insightSelectors } : { TrailName: source.arn, InsightSelectors: insightSelectors },
    });
  }

  // Writes wait while a store is between ingestion states (ConflictException: INFERRED from
  // `com.amazonaws.cloudtrail#ConflictException`, "wait a few minutes, and then try the operation again"), and
  // organization sources are written only from the management account
  // (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html).
  if (transitional) a.actions = [];
  // Insights on a source that stays stopped (prerequisites.logging: report) analyze nothing and their window restarts
  // when logging does: no write until a person starts it.
  if (!isLoggingOn(source) && policy.prerequisites.logging !== 'repair') a.actions = a.actions.filter((x) => x.kind !== 'putInsightSelectors' && x.kind !== 'createInsightsDestination');
  if (source.organizationOwned && source.accountId !== context.managementAccountId && a.reasons.length > 0) {
    a.actions = [];
    a.blockers.push({
      code: 'notOwnedByManagementAccount',
      message: `an organization ${KIND_NOUN[source.kind]} owned by ${source.accountId}, not the management account ${context.managementAccountId}`,
      remedy: `repair it from the management account, or check the organization's management account id in the configuration`,
      transient: false,
    });
  }
  return a;
}

function requiredChannels(policy: Policy, source: SourceState, coverage: EventCoverage): Set<Channel> {
  const out = new Set<Channel>();
  const kindPolicy = source.kind === 'trail' ? policy.trails : policy.eventDataStores;
  for (const type of kindPolicy.insightTypes) {
    out.add(channel(type, 'Management'));
    const wantsData = source.kind === 'trail' && policy.trails.eventCategories.includes('Data');
    if (wantsData && (coverage.dataEvents || policy.trails.dataCategory === 'always')) out.add(channel(type, 'Data'));
  }
  return out;
}

type ActionTarget = Pick<Action, 'accountId' | 'region' | 'sourceArn'>;
type RepairPlan =
  | { ok: true; summary: string; action: (base: ActionTarget, why: string) => Action }
  | { ok: false; code: 'managementEventsNarrowed' | 'selectorLimitReached'; message: string; remedy: string };

/** Called only when the selectors fall short, so a successful repair always changes them. */
function repairSelectors(source: SourceState, need: ManagementNeed): RepairPlan {
  const plan = <T>(r: SelectorRepair<T>, action: (selectors: T) => Pick<Action, 'kind' | 'operation' | 'input'>): RepairPlan =>
    r.ok && r.changed ? { ok: true, summary: r.summary, action: (base, why) => ({ ...base, why, ...action(r.selectors) }) as Action } : (r as RepairPlan);
  if (source.kind === 'eventDataStore')
    return plan(repairAdvancedSelectors(source.advancedEventSelectors, need, 'eventDataStore'), (sel) => ({
      kind: 'updateEventDataStoreSelectors',
      operation: 'UpdateEventDataStore',
      input: { EventDataStore: source.arn, AdvancedEventSelectors: sel },
    }));
  if (source.eventSelectors.kind === 'basic')
    return plan(repairBasicSelectors(source.eventSelectors.selectors, need), (sel) => ({
      kind: 'putEventSelectors',
      operation: 'PutEventSelectors',
      input: { TrailName: source.arn, EventSelectors: sel },
    }));
  return plan(repairAdvancedSelectors(source.eventSelectors.selectors, need, 'trail'), (sel) => ({
    kind: 'putEventSelectors',
    operation: 'PutEventSelectors',
    input: { TrailName: source.arn, AdvancedEventSelectors: sel },
  }));
}

/** Adds logging / ingestion drift and its repair. Returns true while a store is between ingestion states. */
function loggingPrerequisite(policy: Policy, source: SourceState, a: Analysis, base: ActionTarget): boolean {
  const repair = policy.prerequisites.logging === 'repair';
  const disabled = (what: string): Blocker => ({
    code: 'prerequisiteRepairDisabled',
    message: 'prerequisites.logging is report',
    remedy: `${what} yourself (this restarts the Insights clock) or set prerequisites.logging to repair`,
    transient: false,
  });
  if (source.kind === 'trail') {
    if (source.isLogging) return false;
    const message = `logging is stopped${source.stopLoggingTime ? ` since ${utcMinute(source.stopLoggingTime)}` : ''}: nothing is recorded or analyzed`;
    a.reasons.push({ code: 'loggingStopped', message });
    if (repair) a.actions.push({ ...base, kind: 'startLogging', operation: 'StartLogging', why: message, input: { Name: source.arn } });
    else a.blockers.push(disabled('start logging'));
    return false;
  }
  switch (source.status) {
    case 'ENABLED':
      return false;
    case 'STOPPED_INGESTION': {
      const message = 'ingestion is stopped: no events are analyzed';
      a.reasons.push({ code: 'ingestionStopped', message });
      if (repair) a.actions.push({ ...base, kind: 'startIngestion', operation: 'StartEventDataStoreIngestion', why: message, input: { EventDataStore: source.arn } });
      else a.blockers.push(disabled('start ingestion'));
      return false;
    }
    default: {
      const message = `the store is ${source.status}, between ingestion states`;
      a.reasons.push({ code: 'ingestionTransitioning', message });
      a.blockers.push({ code: 'transitional', message, remedy: 'none: the next check retries once the store settles', transient: true });
      return true;
    }
  }
}

interface DestinationChoice {
  /** The destination's ARN, or the reference to the store `create` makes (lib/domain/actions.ts createdDestinationRef). */
  arn?: string;
  /** The CloudTrail call that makes the destination first (strategy create). */
  create?: Action;
  reasons: DriftReason[];
  blockers: Blocker[];
}

/**
 * Why a store cannot receive this source's Insights, or undefined when it can
 * (`com.amazonaws.cloudtrail#PutInsightSelectors`, `com.amazonaws.cloudtrail#InvalidInsightSelectorsException`).
 */
function destinationProblem(arn: string, source: EventDataStoreState, context: DecisionContext): string | undefined {
  const parsed = parseCloudTrailArn(arn);
  if (parsed && parsed.accountId !== source.accountId) return `${arn} is in account ${parsed.accountId}; source and destination must belong to the same account`;
  const store = context.eventDataStoresInAccount.find((s) => s.arn === arn);
  if (!store) return `${arn} is not an event data store of account ${source.accountId}`;
  if (store.status === 'PENDING_DELETION') return `${arn} is pending deletion`;
  if (!store.eventCategories.includes('Insight')) return `${arn} does not log eventCategory Insight, so it cannot receive Insights`;
  return undefined;
}

function chooseDestination(policy: Policy, source: EventDataStoreState, context: DecisionContext): DestinationChoice {
  const out: DestinationChoice = { reasons: [], blockers: [] };
  const strategy = policy.eventDataStores.destination;
  const current = source.insightsDestination;
  const currentProblem = current === undefined ? undefined : destinationProblem(current, source, context);

  if (strategy.strategy === 'named') {
    const entry = strategy.stores.find((s) => s.account === source.accountId && s.region === source.homeRegion);
    if (!entry) {
      const message = `the policy names no Insights destination for account ${source.accountId} in ${source.homeRegion}`;
      out.reasons.push({ code: 'destinationMissing', message });
      out.blockers.push({ code: 'destinationMissing', message, remedy: 'add this account-region to eventDataStores.destination.stores', transient: false });
      return out;
    }
    const target = resolveCloudTrailArn(entry.eventDataStore, 'eventdatastore', { accountId: entry.account, region: entry.region });
    const problem = destinationProblem(target, source, context);
    if (problem) {
      out.reasons.push({ code: 'destinationInvalid', message: `the named destination ${problem}` });
      out.blockers.push({ code: 'destinationInvalid', message: `the named destination ${problem}`, remedy: 'fix eventDataStores.destination.stores or the destination store', transient: false });
      return out;
    }
    if (current !== undefined && current !== target)
      out.reasons.push({ code: 'destinationMismatch', message: `Insights go to ${current}, the policy names ${target} (switching restarts the 7-day clock)` });
    out.arn = target;
    return out;
  }

  // A current destination that could not be read (denied, throttled) is kept: moving it restarts the 7-day window.
  if (current !== undefined && (currentProblem === undefined || context.unreadDestinations?.includes(current))) {
    out.arn = current;
    return out;
  }
  if (current !== undefined) out.reasons.push({ code: 'destinationInvalid', message: `the Insights destination ${currentProblem}` });
  const create = strategy.strategy === 'create' ? strategy : undefined;
  // perRegion: only a store of the source's own region serves it (a current one elsewhere is kept, above).
  const candidates = context.eventDataStoresInAccount
    .filter((s) => s.accountId === source.accountId && s.status !== 'PENDING_DELETION' && s.eventCategories.includes('Insight'))
    .filter((s) => create?.scope !== 'perRegion' || s.region === source.homeRegion)
    .sort((x, y) => Number(y.region === source.homeRegion) - Number(x.region === source.homeRegion) || x.arn.localeCompare(y.arn));
  if (candidates.length === 0 && create) return planCreate(create, source, context, out, current === undefined);
  if (candidates.length === 0) {
    const message = `account ${source.accountId} has no event data store that logs eventCategory Insight to receive Insights`;
    if (current === undefined) out.reasons.push({ code: 'destinationMissing', message });
    out.blockers.push({
      code: 'destinationMissing',
      message,
      remedy: `create one in account ${source.accountId} with the advanced selector eventCategory Equals ["Insight"], or name one in eventDataStores.destination`,
      transient: false,
    });
    return out;
  }
  out.arn = candidates[0]!.arn;
  return out;
}

/**
 * Where one event data store quota and naming rule decide: CloudTrail allows 10 event data stores per account and
 * region (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html), names are unique in
 * an account's region (`com.amazonaws.cloudtrail#EventDataStoreAlreadyExistsException`), and only the management
 * account creates an organization store (`com.amazonaws.cloudtrail#NotOrganizationMasterAccountException`).
 */
export const MAX_EVENT_DATA_STORES_PER_REGION = 10;

/**
 * The Insight destination the policy lets the product create: the user guide's "Create an event data store for
 * CloudTrail Insights events" selector, an organization store only for an organization source. Never in an account
 * that has no store of its own (CloudTrail Lake takes no new customers since 2026-05-31; an account with a source
 * store is already one).
 */
function planCreate(policy: CreateDestinationPolicy, source: EventDataStoreState, context: DecisionContext, out: DestinationChoice, missing: boolean): DestinationChoice {
  const own = context.eventDataStoresInAccount.filter((s) => s.accountId === source.accountId);
  const inRegion = own.filter((s) => s.region === source.homeRegion);
  const blocked = (code: BlockerCode, message: string, remedy: string): DestinationChoice => {
    if (missing) out.reasons.push({ code: 'destinationMissing', message });
    out.blockers.push({ code, message, remedy, transient: false });
    return out;
  };
  if (!own.some((s) => !s.eventCategories.includes('Insight')))
    return blocked('destinationMissing', `account ${source.accountId} has no event data store of its own: creating one would make it a new CloudTrail Lake customer`, 'create the destination yourself, or name one in eventDataStores.destination');
  if (inRegion.length >= MAX_EVENT_DATA_STORES_PER_REGION)
    return blocked(
      'eventDataStoreLimitReached',
      `account ${source.accountId} has no event data store that logs eventCategory Insight, and ${inRegion.length} event data stores in ${source.homeRegion}: CloudTrail's quota (${MAX_EVENT_DATA_STORES_PER_REGION} per region) leaves no room to create one`,
      `delete an event data store of ${source.accountId} in ${source.homeRegion} (one pending deletion counts until it is gone), or add eventCategory Insight to a store yourself and name it in eventDataStores.destination`,
    );
  const taken = new Set(inRegion.map((s) => s.name));
  let name = policy.name;
  for (let n = 2; taken.has(name); n++) name = `${policy.name.slice(0, 128 - String(n).length - 1)}-${n}`;
  const ref = createdDestinationRef(source.accountId, source.homeRegion, name);
  const organization = source.organizationOwned;
  const billed = 'ingesting Insights events into it is billed (CloudTrail Lake ingestion and retention pricing)';
  if (missing) out.reasons.push({ code: 'destinationMissing', message: `account ${source.accountId} has no event data store that logs eventCategory Insight; the policy lets the product create ${name} in ${source.homeRegion}, and ${billed}` });
  out.arn = ref;
  out.create = {
    accountId: source.accountId,
    region: source.homeRegion,
    sourceArn: source.arn,
    why: `create the Insights destination ${name}${organization ? ' (an organization store, for the organization source)' : ''} in ${source.accountId} ${source.homeRegion}, ${policy.scope === 'perAccount' ? 'for every region of the account' : `for ${source.homeRegion}`}; ${billed}`,
    kind: 'createInsightsDestination',
    operation: 'CreateEventDataStore',
    creates: ref,
    input: {
      Name: name,
      AdvancedEventSelectors: [{ Name: 'Select Insights events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Insight'] }] }],
      // A destination ingests only the Insights its sources deliver to it, from whatever region they are in.
      MultiRegionEnabled: false,
      OrganizationEnabled: organization,
      RetentionPeriod: policy.retentionPeriod,
      BillingMode: policy.billingMode,
      TerminationProtectionEnabled: policy.terminationProtection,
      ...(policy.kmsKeyId && { KmsKeyId: policy.kmsKeyId }),
      TagsList: [...Object.entries(policy.tags).map(([Key, Value]) => ({ Key, Value })), { Key: CREATED_DESTINATION_TAG, Value: policy.scope }],
    },
  };
  return out;
}

function describeCoverage(c: EventCoverage): string {
  if (c.managementRead && !c.managementWrite) return 'logs only read management events';
  if (c.managementWrite && !c.managementRead) return 'logs only write management events';
  if (c.narrowedRead || c.narrowedWrite) return 'logs management events only through filtering selectors';
  return 'logs no management events';
}

/** "ApiCallRateInsight and ApiErrorRateInsight on Management", "ApiCallRateInsight on Management and Data". */
export function describeChannels(channels: Iterable<Channel>): string {
  const byType = new Map<string, string[]>();
  for (const c of sortChannels(channels)) {
    const { type, category } = parseChannel(c);
    byType.set(type, [...(byType.get(type) ?? []), category]);
  }
  const groups = new Map<string, string[]>();
  for (const [type, cats] of byType) groups.set(cats.join(' and '), [...(groups.get(cats.join(' and ')) ?? []), type]);
  return [...groups].map(([cats, types]) => `${types.join(' and ')} on ${cats}`).join(', ');
}

