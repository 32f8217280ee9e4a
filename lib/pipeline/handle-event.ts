/**
 * Event-driven repair, one EventBridge event at a time: interpret it (lib/targets), then ignore it with the reason,
 * observe an Insights delivery in the ledger, or check its source under that source's lock: record who drifted it and
 * what the call did to the Insights clock (even when nothing needs repair), consult the circuit breaker, run the shared
 * pipeline on just that source, and record the repair. Never throws for a bad event: every outcome has a reason.
 *
 * Under the coverage objective a source is repaired only if it was a carrier (its Insights were on before the call):
 * a source that analyzed nothing is not needed, and what covers its account-regions is the sweep's to judge. A call
 * that takes coverage from account-regions beyond its source (a source deleted, made an account source or
 * single-Region) starts a sweep of exactly the account-regions the source covered and no longer does.
 */
import { parseCloudTrailArn } from '../domain/arn';
import { breakerVerdict, markNotified, recordRepair, type BreakerPolicy } from '../domain/breaker';
import type { Carrier } from '../domain/carriers';
import { applyClockEffect, emptyClockFacts, type ClockFacts } from '../domain/insights-clock';
import type { Policy } from '../policy/schema';
import { interpretEvent, type EventInterpretation } from '../targets/from-cloudtrail-event';
import type { AwsClients } from '../aws/clients';
import { carrierScopeOf, recordedWrites, updateRecord, type CarrierScope, type Ledger, type SourceRecord } from '../ledger/ledger';
import { recordedRequestFingerprint } from '../domain/fingerprint';
import { regionsInScope } from '../policy/scope';
import type { SweepTargets } from './coverage';
import { incidentKey, nextIncident, type IncidentState } from '../notify/incidents';
import { breakerMessage, notRemediableMessage, repairMessage, reportFindingMessage, type SlackMessage } from '../notify/slack-message';
import type { DeliveryResult } from '../notify/slack-webhook';
import { remediate, retryableFailure, type RemediationResult } from './remediate';

export interface BreakerNotification {
  kind: 'breakerOpen';
  arn: string;
  actors: string[];
  until: string;
  repairs: number;
}

export interface EventHandlerDeps {
  policy: Policy;
  aws: AwsClients;
  managementAccountId: string;
  ledger: Ledger;
  now: () => Date;
  /**
   * The product's roles (lib/targets/from-cloudtrail-event.ts `OwnRoles`, without the management account, which is
   * `managementAccountId`): a call made with one of them is still checked, and is the product's own only if the ledger
   * recorded that write.
   */
  ownRoles: { functionRoleNames: readonly string[]; memberRoleName: string };
  notify?: (n: BreakerNotification) => Promise<void>;
  /** Slack delivery; never throws (a failure comes back as a result). */
  slack?: { send(message: SlackMessage): Promise<DeliveryResult> };
  /** Repeats of one incident within this window are suppressed and counted. Default 6 hours. */
  incidentWindowMs?: number;
  /** Starts a sweep of part of the organization (coverage objective); answers its id. Absent: the next scheduled sweep judges it. */
  startSweep?: (targets: SweepTargets, reason: string) => Promise<string>;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface EventOutcome {
  decision: EventInterpretation['decision'];
  reason: string;
  eventName: string | null;
  target: EventInterpretation['target'];
  /** Writes the product made for this event. */
  writes: number;
  breakerOpen?: boolean;
  result?: RemediationResult;
}

const breakerPolicy = (p: Policy): BreakerPolicy => ({ maxRepairs: p.limits.breaker.maxRepairs, windowMs: p.limits.breaker.windowMinutes * 60_000 });

export async function handleEvent(event: unknown, deps: EventHandlerDeps): Promise<EventOutcome> {
  const seen = interpretEvent(event, { policy: deps.policy, ownRoles: { managementAccountId: deps.managementAccountId, ...deps.ownRoles } });
  const base = { decision: seen.decision, reason: seen.reason, eventName: seen.eventName, target: seen.target, writes: 0 };
  deps.log?.('event interpreted', { decision: seen.decision, reason: seen.reason, eventName: seen.eventName, target: seen.target?.arn ?? seen.target?.accountId, eventId: seen.eventId });
  if (seen.decision === 'ignore' || !seen.target) return base;

  const at = seen.eventTime && !Number.isNaN(Date.parse(seen.eventTime)) ? new Date(seen.eventTime).toISOString() : deps.now().toISOString();
  if (seen.decision === 'observe') {
    const target = seen.target;
    const records = target.arn ? [await deps.ledger.get(target.arn)].filter((r) => r !== undefined) : await deps.ledger.sourcesIn(target.accountId, target.region);
    for (const r of records)
      await updateRecord(deps.ledger, r, (x) => ({ ...x, clock: applyClockEffect(x.clock ?? emptyClockFacts(x.kind), { type: 'insightsDelivered' }, at) }));
    return { ...base, reason: `${seen.reason}; ${records.length} source(s) marked delivering` };
  }

  const target = seen.target;
  // The drifting call itself spent the account-region's write budget: a repair in the same second would be throttled.
  // CloudTrail's eventTime has whole seconds, so the call may have been made up to a second after it says.
  if (seen.eventTime && !Number.isNaN(Date.parse(seen.eventTime))) {
    const precision = /\.\d+Z?$/.test(seen.eventTime) ? 0 : 999;
    deps.aws.limits.spentElsewhere(target.accountId, target.region, true, Date.now() - Date.parse(seen.eventTime) - precision);
  }
  const coverage = deps.policy.objective === 'coverage';
  const lost = coverage && seen.coverageLoss ? await coverageLost(seen.coverageLoss, seen.eventName!, deps) : undefined;
  if (target.kind === 'accountRegion') {
    // A deletion: under coverage only what the source covered needs judging, and the sweep started above does it.
    if (coverage) return { ...base, reason: `${seen.reason}; ${lost ?? 'no coverage lost'}` };
    const result = await remediate([{ kind: 'accountRegion', accountId: target.accountId, region: target.region }], runDeps(deps));
    return { ...base, writes: result.writesApplied, result };
  }

  const arn = target.arn!;
  const where = { arn, kind: target.kind, accountId: target.accountId, region: target.region };
  return deps.ledger.withLock(arn, async () => {
    // The call's own effect on the clock and who made it are recorded whether or not anything needs repair.
    // A call made with the product's role is the product's own only if the ledger recorded that very write; anything
    // else made with its role (someone who assumed it) is drift like any other, with who did it.
    let before: SourceRecord | undefined;
    let own = false;
    const record = await updateRecord(deps.ledger, where, (r) => {
      before = r;
      own = seen.ownRole !== undefined && recordedWrite(r, seen.eventName!, at, seen.request);
      return {
        ...r,
        ...(seen.clockEffect && { clock: applyClockEffect(r.clock ?? emptyClockFacts(r.kind), seen.clockEffect, at) }),
        ...(!own && { lastDrift: { at, eventName: seen.eventName!, ...(seen.actor && { actor: seen.actor }), ...(seen.eventId && { eventId: seen.eventId }) } }),
      };
    });
    const whose = own
      ? ["the product's own write (recorded in the ledger): checked, nothing repeated unless it drifted since"]
      : seen.ownRole
        ? ['NOT a write the product recorded: someone else used its role']
        : [];
    const verdict = breakerVerdict(record.breaker, deps.now(), breakerPolicy(deps.policy));
    if (verdict.open) {
      if (verdict.notify) {
        const n: BreakerNotification = { kind: 'breakerOpen', arn, actors: verdict.actors, until: verdict.until!, repairs: record.breaker.repairs.length };
        await deps.notify?.(n);
        const delivery = deps.slack ? await send(deps, breakerMessage(n, deps.policy.limits.breaker.windowMinutes)) : undefined;
        await updateRecord(deps.ledger, where, (r) => ({ ...r, breaker: markNotified(r.breaker, verdict), ...undeliveredAfter(r, delivery, `breaker open on ${arn}`, deps) }));
      }
      return { ...base, breakerOpen: true, reason: `${seen.reason}; not repaired: repaired ${deps.policy.limits.breaker.maxRepairs} times within ${deps.policy.limits.breaker.windowMinutes} minutes, resumes ${verdict.until}` };
    }

    const apply = coverage ? (_d: unknown, c: Carrier | undefined) => wasCarrier(before, c, seen.eventName!) : true;
    const result = await remediate([{ kind: 'source', accountId: target.accountId, region: target.region, arn }], { ...runDeps(deps, record.clock), apply });
    const carrier = result.results.flatMap((r) => r.carriers).find((c) => c.arn === arn);
    const applied = result.results.flatMap((r) => r.outcomes).filter((o) => o.status === 'applied');
    const update = result.results.flatMap((r) => r.clockUpdates).find((u) => u.arn === arn);
    const note = await messageFor(deps, record.incident, arn, result, { ...(seen.actor && { actor: seen.actor }), eventName: seen.eventName!, at });
    // One write for the repair, the clock, and the message's incident.
    await updateRecord(deps.ledger, where, (r) => ({
      ...r,
      ...(update && { clock: update.facts }),
      ...(applied.length > 0 && {
        lastRepair: { at: deps.now().toISOString(), operations: applied.map((o) => o.action.operation), writes: recordedWrites(applied, deps.now().toISOString()) },
        breaker: recordRepair(r.breaker, deps.now(), seen.actor, breakerPolicy(deps.policy)),
      }),
      ...(note && { incident: note.incident, ...undeliveredAfter(r, note.delivery, note.text, deps) }),
      ...(carrier && { carrier: carrierScopeOf(carrier) }),
    }));
    const notNeeded = coverage && applied.length === 0 && !wasCarrier(before, carrier, seen.eventName!) && result.results.some((r) => r.decisions.some((d) => d.source.arn === arn && d.actions.length > 0));
    const reason = [seen.reason, ...whose, ...(lost ? [lost] : []), ...(notNeeded ? ['not a carrier of Insights before the call: not needed for coverage (the sweep judges its account-regions)'] : [])].join('; ');
    return { ...base, reason, writes: applied.length, result, breakerOpen: false };
  });
}

/**
 * Why the event must be delivered again (the Lambda rethrows, so Lambda's async retries or EventBridge redeliver it),
 * or undefined when it is done: a read AWS may answer later (throttled, 5xx), a repair write that failed the same way
 * or met a store changing state (ConflictException), or a source left unrepaired only because its store was between
 * ingestion states when read (CREATED, STOPPING_ / STARTING_INGESTION: it settles within minutes). Without the last
 * two, the event was consumed and the drift waited for the next scheduled sweep.
 */
export function retryReason(out: Pick<EventOutcome, 'result' | 'target'>): string | undefined {
  for (const r of out.result?.results ?? []) {
    const failure = retryableFailure(r);
    if (failure) return failure;
    const waiting = r.decisions.find((d) => (!out.target?.arn || d.source.arn === out.target.arn) && d.finding.status === 'drifted' && d.actions.length === 0 && d.finding.blockers.some((b) => b.transient));
    if (waiting) return `${waiting.source.arn}: ${waiting.finding.summary}`;
  }
  return undefined;
}

/**
 * One message per incident: a repair, a report-mode finding, or a finding a person must fix. Sends it unless it
 * repeats the last incident within the window, and returns what the ledger must remember.
 */
async function messageFor(
  deps: EventHandlerDeps,
  incident: IncidentState | undefined,
  arn: string,
  result: RemediationResult,
  drift: { actor?: string; eventName: string; at: string },
): Promise<{ incident: IncidentState; delivery?: DeliveryResult; text: string } | undefined> {
  if (!deps.slack) return undefined;
  const r = result.results[0];
  const d = r?.decisions.find((x) => x.source.arn === arn);
  if (!r || !d) return undefined;
  const outcomes = r.outcomes.filter((o) => o.action.sourceArn === arn);
  const [kind, msg] = outcomes.some((o) => o.status === 'applied')
    ? (['repair', repairMessage(d, outcomes, drift)] as const)
    : deps.policy.mode === 'report' && d.actions.length
      ? (['report', reportFindingMessage(d)] as const)
      : d.finding.status === 'not-remediable'
        ? (['blocked', notRemediableMessage(d)] as const)
        : [undefined, undefined];
  if (!kind || !msg) return undefined;
  const next = nextIncident(incident, incidentKey(d, kind), deps.now(), deps.incidentWindowMs ?? 6 * 3_600_000);
  if (!next.send) return { incident: next.state, text: msg.text };
  const withCount = next.suppressedBefore ? { ...msg, blocks: [...msg.blocks, { type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: `${next.suppressedBefore} repeat(s) of this were not messaged` }] }] } : msg;
  return { incident: next.state, delivery: await send(deps, withCount), text: msg.text };
}

async function send(deps: EventHandlerDeps, message: SlackMessage): Promise<DeliveryResult> {
  const delivery = await deps.slack!.send(message);
  if (!delivery.delivered) deps.log?.('slack delivery failed', { error: delivery.error, attempts: delivery.attempts });
  return delivery;
}

/** A message Slack did not take stays in the ledger for the next digest: nothing is lost. */
function undeliveredAfter(r: { undelivered?: { at: string; text: string }[] }, delivery: DeliveryResult | undefined, text: string, deps: EventHandlerDeps) {
  if (!delivery || delivery.delivered) return {};
  return { undelivered: [...(r.undelivered ?? []), { at: deps.now().toISOString(), text }].slice(-100) };
}

function runDeps(deps: EventHandlerDeps, clock?: ClockFacts) {
  return {
    policy: deps.policy,
    aws: deps.aws,
    managementAccountId: deps.managementAccountId,
    now: deps.now,
    // One event: the policy's sweep cap is not the limit here; the plan of one source is.
    budget: { remaining: 10 },
    ledger: { clockFacts: async (a: string) => (clock !== undefined ? clock : (await deps.ledger.get(a))?.clock) },
  };
}

/**
 * Whether the source carried Insights before the call: its Insights are on now (the call stopped something else), or
 * the ledger says it analyzed or had Insights; a source the ledger never saw had them if the call was the one that
 * changed them. A source just created carried nothing.
 */
function wasCarrier(before: SourceRecord | undefined, now: Carrier | undefined, eventName: string): boolean {
  if (eventName === 'CreateTrail' || eventName === 'CreateEventDataStore') return false;
  if (now?.billed) return true;
  if (before?.carrier) return before.carrier.analyzing;
  if (before?.clock) return Object.keys(before.clock.channels).length > 0;
  return eventName === 'PutInsightSelectors';
}

/**
 * The account-regions a call took from its source's coverage, and the sweep of exactly those. What the source covered
 * comes from the ledger; a source never seen is taken at its widest (what the call names as turned off, an
 * organization source when the owner is the management account), so nothing is missed.
 */
async function coverageLost(loss: { arn: string; changes: readonly string[] }, eventName: string, deps: EventHandlerDeps): Promise<string> {
  const parsed = parseCloudTrailArn(loss.arn);
  if (!parsed) return 'no coverage lost';
  const prior = await deps.ledger.get(loss.arn);
  if (prior?.carrier && !prior.carrier.analyzing) return `${loss.arn} analyzed nothing before the call: no coverage lost`;
  const scope: CarrierScope = prior?.carrier ?? {
    organization: loss.changes.includes('organizationOff') || parsed.accountId === deps.managementAccountId,
    multiRegion: true,
    homeRegion: parsed.region,
    analyzing: true,
  };
  const all = regionsInScope(deps.policy);
  const regions = (multiRegion: boolean) => (multiRegion ? all : all.filter((r) => r === scope.homeRegion));
  const owner = [parsed.accountId];
  let targets: SweepTargets;
  if (loss.changes.includes('deleted')) targets = { accounts: scope.organization ? 'organization' : owner, regions: regions(scope.multiRegion) };
  else if (loss.changes.includes('organizationOff') && scope.organization) targets = { accounts: 'organization', regions: regions(scope.multiRegion) };
  else if (loss.changes.includes('multiRegionOff') && scope.multiRegion) targets = { accounts: scope.organization ? 'organization' : owner, regions: all.filter((r) => r !== scope.homeRegion) };
  else return 'no coverage lost';
  if (targets.regions?.length === 0) return 'no coverage lost';
  await updateRecord(deps.ledger, { arn: loss.arn, kind: parsed.resourceType === 'trail' ? 'trail' : 'eventDataStore', accountId: parsed.accountId, region: parsed.region }, (r) => ({
    ...r,
    carrier: { ...scope, ...(loss.changes.includes('deleted') && { analyzing: false }), ...(loss.changes.includes('organizationOff') && { organization: false }), ...(loss.changes.includes('multiRegionOff') && { multiRegion: false }) },
  }));
  const what = `${targets.accounts === 'organization' ? 'every account' : `account ${parsed.accountId}`} in ${targets.regions!.join(', ')}`;
  if (!deps.startSweep) return `coverage lost in ${what}: the next scheduled sweep judges it`;
  const id = await deps.startSweep(targets, `${eventName} on ${loss.arn}`);
  return `coverage lost in ${what}: sweep ${id} started for exactly those account-regions`;
}

/**
 * The ledger recorded this very write: the same operation with the same request, within a minute of the event's time
 * (CloudTrail's eventTime has whole seconds; the clocks agree to well under that).
 */
function recordedWrite(r: SourceRecord, eventName: string, at: string, request: unknown): boolean {
  const fingerprint = recordedRequestFingerprint(request ?? {});
  return (r.lastRepair?.writes ?? []).some((w) => w.operation === eventName && w.request === fingerprint && Math.abs(Date.parse(at) - Date.parse(w.at)) <= 60_000);
}
