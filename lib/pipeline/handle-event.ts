/**
 * Event-driven repair, one EventBridge event at a time: interpret it (lib/targets), then ignore it with the reason,
 * observe an Insights delivery in the ledger, or check its source under that source's lock: record who drifted it and
 * what the call did to the Insights clock (even when nothing needs repair), consult the circuit breaker, run the shared
 * pipeline on just that source, and record the repair. Never throws for a bad event: every outcome has a reason.
 *
 * Under the coverage objective a source is repaired only if it was a carrier (its Insights were on before the call):
 * a source that analyzed nothing is not needed, and what covers its account-regions is the sweep's to judge. A call
 * that takes coverage from account-regions beyond its source (a source deleted, made an account source or
 * single-Region) starts a sweep of exactly the account-regions the source covered and no longer does. A deleted event
 * data store that the ledger knows as the Insights destination of sources (one the product created, or any other)
 * has those sources repaired at once: the same decision a sweep makes (a new destination where the policy lets the
 * product create one).
 */
import { parseCloudTrailArn } from '../domain/arn';
import { breakerVerdict, markNotified, recordRepair, type BreakerPolicy } from '../domain/breaker';
import type { Carrier } from '../domain/carriers';
import { applyClockEffect, emptyClockFacts, mergeClockFacts, type ClockFacts } from '../domain/insights-clock';
import type { SourceKind } from '../domain/model';
import { randomUUID } from 'node:crypto';
import type { Policy } from '../policy/schema';
import { interpretEvent, type EventInterpretation } from '../targets/from-cloudtrail-event';
import type { AwsClients } from '../aws/clients';
import { amendClockLater, carrierScopeOf, outboxKey, recordedWrite, recordedWrites, recordIntent, updateRecord, type CarrierScope, type Ledger, type OutboxEntry, type SourceRecord } from '../ledger/ledger';
import { recordedRequestFingerprint } from '../domain/fingerprint';
import { regionsInScope, usesOrganizationalUnits } from '../domain/scope';
import type { SweepTargets } from './coverage';
import { incidentKey, nextIncident, type IncidentState } from '../notify/incidents';
import type { SlackMessage } from '../notify/slack-message';
import { once } from '../once';
import type { DeliveryResult } from '../notify/slack-webhook';
import { allBudgets, localBudget, type WriteBudget } from '../aws/apply';
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
  /** An account's OU path (root id, then OU ids), for a policy that scopes by organizational unit. */
  ouPathOf?: (accountId: string) => Promise<string[]>;
}

export interface EventOutcome {
  decision: EventInterpretation['decision'];
  reason: string;
  eventName: string | null;
  target: EventInterpretation['target'];
  /** Writes the product made for this event. */
  writes: number;
  /** Writes AWS refused for a reason a retry does not change (denied, invalid): messaged, counted and alarmed on. */
  refusedWrites?: number;
  breakerOpen?: boolean;
  /** The source was checked after the call was made: nothing read or written for this event. */
  coalesced?: boolean;
  result?: RemediationResult;
}

/**
 * How long after a call a check must have begun to have seen it: CloudTrail's eventTime has whole seconds, and its
 * reads may trail its writes briefly (AWS documents no bound; 10 s is this product's margin).
 */
const COALESCE_MARGIN_MS = 10_000;

const breakerPolicy = (p: Policy): BreakerPolicy => ({ maxRepairs: p.limits.breaker.maxRepairs, windowMs: p.limits.breaker.windowMinutes * 60_000 });

export async function handleEvent(event: unknown, deps: EventHandlerDeps): Promise<EventOutcome> {
  const seen = interpretEvent(event, { policy: deps.policy, ownRoles: { managementAccountId: deps.managementAccountId, ...deps.ownRoles } });
  const base = { decision: seen.decision, reason: seen.reason, eventName: seen.eventName, target: seen.target, writes: 0 };
  deps.log?.('event interpreted', { decision: seen.decision, reason: seen.reason, eventName: seen.eventName, target: seen.target?.arn ?? seen.target?.accountId, eventId: seen.eventId });
  if (seen.decision === 'ignore' || !seen.target) return base;

  const at = seen.eventTime && !Number.isNaN(Date.parse(seen.eventTime)) ? new Date(seen.eventTime).toISOString() : deps.now().toISOString();
  if (seen.decision === 'observe') {
    const target = seen.target;
    // An event naming no store came from a trail (a store's Insights go to its destination store): only the trails that
    // analyze the account-region, and only those whose clock it moves, are written.
    const records = target.arn ? [await deps.ledger.get(target.arn)].filter((r) => r !== undefined) : await trailsAnalyzing(target.accountId, target.region, deps);
    const delivered = (x: SourceRecord) => applyClockEffect(x.clock ?? emptyClockFacts(x.kind), { type: 'insightsDelivered' }, at);
    const moved = records.filter((r) => JSON.stringify(delivered(r)) !== JSON.stringify(r.clock ?? emptyClockFacts(r.kind)));
    for (const r of moved) await updateRecord(deps.ledger, r, (x) => ({ ...x, clock: delivered(x) }));
    return { ...base, reason: `${seen.reason}; ${moved.length} source(s) marked delivering` };
  }

  const target = seen.target;
  // An OU-scoped policy needs the account's place in the organization (read, and cached, only then): the decision says
  // out of scope for an account outside the policy's OUs, while the coverage it carried is still followed.
  const ouPath = usesOrganizationalUnits(deps.policy) ? ((await deps.ouPathOf?.(target.accountId)) ?? []) : undefined;
  // The drifting call itself spent its API's write budget in the account-region (CloudTrail's quotas are per API): a
  // repair by the same API in the same second would be throttled. CloudTrail's eventTime has whole seconds, so the
  // call may have been made up to a second after it says.
  if (seen.eventTime && !Number.isNaN(Date.parse(seen.eventTime))) {
    const precision = /\.\d+Z?$/.test(seen.eventTime) ? 0 : 999;
    deps.aws.limits.spentElsewhere(target.accountId, target.region, true, Date.now() - Date.parse(seen.eventTime) - precision, seen.eventName ?? '');
  }
  const coverage = deps.policy.objective === 'coverage';
  const lost = coverage && seen.coverageLoss ? await coverageLost(seen.coverageLoss, seen.eventName!, deps) : undefined;
  if (seen.coverageLoss?.changes.includes('deleted')) await forget(seen.coverageLoss.arn, at, deps.ledger);
  if (target.kind === 'accountRegion' && seen.eventName === 'DeleteEventDataStore' && seen.coverageLoss) {
    const repaired = await repairDestinationUsers(seen.coverageLoss.arn, deps, ouPath);
    if (repaired) return { ...base, reason: `${seen.reason}; ${lost ?? 'no coverage lost'}; ${repaired.reason}`, writes: repaired.result.writesApplied, result: repaired.result };
  }
  if (target.kind === 'accountRegion') {
    // A deletion: under coverage only what the source covered needs judging, and the sweep started above does it.
    if (coverage) return { ...base, reason: `${seen.reason}; ${lost ?? 'no coverage lost'}` };
    const result = await remediate([{ kind: 'accountRegion', accountId: target.accountId, region: target.region }], runDeps(deps, undefined, ouPath));
    return { ...base, writes: result.writesApplied, result };
  }

  const arn = target.arn!;
  const where = { arn, kind: target.kind, accountId: target.accountId, region: target.region };
  const outcome = await deps.ledger.withLock(arn, async (): Promise<EventOutcome> => {
    // The call's own effect on the clock and who made it are recorded whether or not anything needs repair.
    // A call made with the product's role is the product's own only if the ledger recorded that very write; anything
    // else made with its role (someone who assumed it) is drift like any other, with who did it.
    let own = false;
    let carrierBefore = false;
    const record = await updateRecord(deps.ledger, where, (r) => {
      own = seen.ownRole !== undefined && recordedWrite(r, seen.eventName!, at, recordedRequestFingerprint(seen.request ?? {}));
      // A redelivery (a retry, a duplicate) finds the call's effect already recorded: what the source carried before
      // the call is what its first delivery judged.
      const redelivered = seen.eventId !== undefined && r.lastDrift?.eventId === seen.eventId && r.lastDrift.carrierBefore !== undefined;
      carrierBefore = redelivered ? r.lastDrift!.carrierBefore! : formerCarrier(r, seen.eventName!);
      const { deletedAt: _back, ...alive } = r; // an event on the source: it exists (again)
      return {
        ...alive,
        ...(seen.clockEffect && !redelivered && { clock: applyClockEffect(r.clock ?? emptyClockFacts(r.kind), seen.clockEffect, at) }),
        ...(!own && { lastDrift: { at, eventName: seen.eventName!, ...(seen.actor && { actor: seen.actor }), ...(seen.eventId && { eventId: seen.eventId }), carrierBefore } }),
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
        const message = deps.slack ? (await slackMessages()).breakerMessage(n, deps.policy.limits.breaker.windowMinutes) : undefined;
        await updateRecord(deps.ledger, where, (r) => ({ ...r, breaker: markNotified(r.breaker, verdict), ...(message && outboxWith(r, message, deps)) }));
      }
      return { ...base, breakerOpen: true, reason: `${seen.reason}; not repaired: repaired ${deps.policy.limits.breaker.maxRepairs} times within ${deps.policy.limits.breaker.windowMinutes} minutes, resumes ${verdict.until}` };
    }

    if (record.lastCheck && Date.parse(record.lastCheck.at) - Date.parse(at) >= COALESCE_MARGIN_MS)
      return { ...base, coalesced: true, reason: [seen.reason, ...whose, `coalesced: the source was checked at ${record.lastCheck.at}, after this call; nothing read again`].join('; ') };

    const checkedAt = deps.now().toISOString();
    // A source whose Insights are on now (the call stopped something else) carries them whatever the ledger says.
    const carries = (c: Carrier | undefined) => carrierBefore || c?.billed === true;
    const apply = coverage ? (_d: unknown, c: Carrier | undefined) => carries(c) : true;
    const result = await remediate([{ kind: 'source', accountId: target.accountId, region: target.region, arn }], {
      ...runDeps(deps, record.clock, ouPath),
      apply,
      // Write-ahead: a crash after CloudTrail took the writes leaves them, and the clock they restart, in the ledger.
      beforeWrite: (source, actions, clock) => recordIntent(deps.ledger, { ...where, kind: source.kind }, actions, clock, deps.now().toISOString()),
      ...(deps.ledger.mayAct && { mayAct: (a: string) => deps.ledger.mayAct!(a) }),
    });
    const carrier = result.results.flatMap((r) => r.carriers).find((c) => c.arn === arn);
    const mine = result.results.flatMap((r) => r.outcomes).filter((o) => o.action.sourceArn === arn);
    const applied = mine.filter((o) => o.status === 'applied');
    const update = result.results.flatMap((r) => r.clockUpdates).find((u) => u.arn === arn);
    const checked = result.results.length > 0 && result.results.every((r) => r.status === 'done') && !mine.some((o) => o.status === 'failed');
    const note = messageFor(deps.slack && (await slackMessages()), deps, record.incident, arn, result, { ...(seen.actor && { actor: seen.actor }), eventName: seen.eventName!, at });
    // One write for the repair, the clock, the incident and its message (the outbox, sent once the lock is released).
    await settle(deps.ledger, where, applied.length > 0 ? update?.facts : undefined, ({ intent: _settled, ...r }) => ({
      ...r,
      ...(update && { clock: mergeClockFacts(update.base, update.facts, r.clock) }),
      ...(applied.length > 0 && {
        lastRepair: { at: deps.now().toISOString(), operations: applied.map((o) => o.action.operation), writes: recordedWrites(applied, deps.now().toISOString()) },
        breaker: recordRepair(r.breaker, deps.now(), seen.actor, breakerPolicy(deps.policy)),
      }),
      ...(note && { incident: note.incident, ...(note.message && outboxWith(r, note.message, deps)) }),
      // A write that failed leaves the source as it was before the call in the ledger's eyes: the retry of this event
      // must still see it as the carrier it was (it is read as drifted now, not as what it carries).
      ...(carrier && !mine.some((o) => o.status === 'failed') && { carrier: carrierScopeOf(carrier) }),
      // A check whose read or write failed saw nothing settled: later events for earlier calls are not coalesced into it
      // (nor is this event's own retry).
      ...(checked && { lastCheck: { at: checkedAt } }),
    }));
    const notNeeded = coverage && applied.length === 0 && !carries(carrier) && result.results.some((r) => r.decisions.some((d) => d.source.arn === arn && d.actions.length > 0));
    const reason = [seen.reason, ...whose, ...(lost ? [lost] : []), ...(notNeeded ? ['not a carrier of Insights before the call: not needed for coverage (the sweep judges its account-regions)'] : [])].join('; ');
    const refused = mine.filter((o) => o.status === 'failed' && !o.error.retryable).length;
    return { ...base, reason, writes: applied.length, refusedWrites: refused, result, breakerOpen: false };
  });
  await sendOutbox(deps, where);
  return outcome;
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
 * One message per incident: a repair, a repair AWS refused, a report-mode finding, or a finding a person must fix.
 * Answers what the ledger must remember, and the message unless it repeats the last incident within the window.
 */
// Slack is opt-in (SLACK_WEBHOOK_SECRET): its messages' module is loaded when there is a Slack to write to, not at cold
// start.
const slackMessages = once(() => import('../notify/slack-message'));

function messageFor(
  compose: Awaited<ReturnType<typeof slackMessages>> | undefined,
  deps: EventHandlerDeps,
  incident: IncidentState | undefined,
  arn: string,
  result: RemediationResult,
  drift: { actor?: string; eventName: string; at: string },
): { incident: IncidentState; message?: SlackMessage } | undefined {
  if (!deps.slack || !compose) return undefined;
  const { notRemediableMessage, repairFailedMessage, repairMessage, reportFindingMessage } = compose;
  const r = result.results[0];
  const d = r?.decisions.find((x) => x.source.arn === arn);
  if (!r || !d) return undefined;
  const outcomes = r.outcomes.filter((o) => o.action.sourceArn === arn);
  const [kind, msg] = outcomes.some((o) => o.status === 'applied')
    ? (['repair', repairMessage(d, outcomes, drift)] as const)
    : outcomes.some((o) => o.status === 'failed' && !o.error.retryable)
      ? (['refused', repairFailedMessage(d, outcomes, drift)] as const)
      : deps.policy.mode === 'report' && d.actions.length
        ? (['report', reportFindingMessage(d)] as const)
        : d.finding.status === 'not-remediable'
          ? (['blocked', notRemediableMessage(d)] as const)
          : [undefined, undefined];
  if (!kind || !msg) return undefined;
  const next = nextIncident(incident, incidentKey(d, kind), deps.now(), deps.incidentWindowMs ?? 6 * 3_600_000);
  if (!next.send) return { incident: next.state };
  const withCount = next.suppressedBefore ? { ...msg, blocks: [...msg.blocks, { type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: `${next.suppressedBefore} repeat(s) of this were not messaged` }] }] } : msg;
  return { incident: next.state, message: withCount };
}

/** The outbox entry for a message, written with the record it reports; at most 100 kept. */
function outboxWith(r: SourceRecord, message: SlackMessage, deps: EventHandlerDeps): Pick<SourceRecord, 'undelivered'> {
  const entry: OutboxEntry = { id: randomUUID(), at: deps.now().toISOString(), text: message.text, message };
  return { undelivered: [...(r.undelivered ?? []), entry].slice(-100) };
}

/**
 * Sends what the source's outbox holds unsent (this event's message, or one a crashed invocation left), outside the
 * lock: Slack's retries never hold up the source's next event. An entry is claimed first (its message taken off in a
 * versioned write) so two invocations never send it twice; it is removed once Slack took it, and otherwise keeps its
 * text for the next digest.
 */
async function sendOutbox(deps: EventHandlerDeps, where: { arn: string; kind: SourceKind; accountId: string; region: string }): Promise<void> {
  if (!deps.slack) return;
  const current = await deps.ledger.get(where.arn);
  if (!current?.undelivered?.some((u) => u.message)) return;
  let claimed: OutboxEntry[] = [];
  await updateRecord(deps.ledger, where, (r) => {
    claimed = (r.undelivered ?? []).filter((u) => u.message);
    return { ...r, undelivered: (r.undelivered ?? []).map(({ message: _claimed, ...u }) => u) };
  });
  const delivered = new Set<string>();
  for (const u of claimed) if ((await send(deps, u.message as SlackMessage)).delivered) delivered.add(outboxKey(u));
  if (delivered.size) await updateRecord(deps.ledger, where, (r) => ({ ...r, undelivered: (r.undelivered ?? []).filter((u) => !delivered.has(outboxKey(u))) }));
}

async function send(deps: EventHandlerDeps, message: SlackMessage): Promise<DeliveryResult> {
  const delivery = await deps.slack!.send(message);
  if (!delivery.delivered) deps.log?.('slack delivery failed', { error: delivery.error, attempts: delivery.attempts });
  return delivery;
}

/**
 * The sources whose Insights went to a deleted event data store, as the ledger knows them (their clock names the
 * destination), repaired each under its own lock with its writes announced first, like a source an event names.
 */
async function repairDestinationUsers(destination: string, deps: EventHandlerDeps, ouPath?: string[]): Promise<{ reason: string; result: RemediationResult } | undefined> {
  const parsed = parseCloudTrailArn(destination);
  if (!parsed || parsed.resourceType !== 'eventdatastore') return undefined;
  const homes = [...new Set([parsed.region, ...regionsInScope(deps.policy)])];
  const users = (await Promise.all(homes.map((r) => deps.ledger.sourcesIn(parsed.accountId, r)))).flat().filter((r) => r.kind === 'eventDataStore' && !r.deletedAt && r.clock?.destination === destination);
  if (users.length === 0) return undefined;
  const results: RemediationResult[] = [];
  for (const u of users) {
    const where = { arn: u.arn, kind: u.kind, accountId: u.accountId, region: u.region };
    await deps.ledger.withLock(u.arn, async () => {
      const record = await deps.ledger.get(u.arn);
      const result = await remediate([{ kind: 'source', accountId: u.accountId, region: u.region, arn: u.arn }], {
        ...runDeps(deps, record?.clock, ouPath),
        beforeWrite: (_source, actions, clock) => recordIntent(deps.ledger, where, actions, clock, deps.now().toISOString()),
        ...(deps.ledger.mayAct && { mayAct: (a: string) => deps.ledger.mayAct!(a) }),
      });
      const update = result.results.flatMap((r) => r.clockUpdates).find((x) => x.arn === u.arn);
      const applied = result.results.flatMap((r) => r.outcomes).filter((o) => o.status === 'applied' && o.action.sourceArn === u.arn);
      await updateRecord(deps.ledger, where, ({ intent: _settled, ...r }) => ({
        ...r,
        ...(update && { clock: mergeClockFacts(update.base, update.facts, r.clock) }),
        ...(applied.length > 0 && { lastRepair: { at: deps.now().toISOString(), operations: applied.map((o) => o.action.operation), writes: recordedWrites(applied, deps.now().toISOString()) } }),
      }));
      results.push(result);
    });
  }
  const result: RemediationResult = {
    mode: deps.policy.mode,
    results: results.flatMap((r) => r.results),
    writesApplied: results.reduce((n, r) => n + r.writesApplied, 0),
    writeBudgetLeft: Math.min(...results.map((r) => r.writeBudgetLeft)),
  };
  return { reason: `it was the Insights destination of ${users.map((u) => u.arn).join(', ')}: checked against the policy`, result };
}

function runDeps(deps: EventHandlerDeps, clock?: ClockFacts, ouPath?: string[]) {
  return {
    ...(ouPath && { ouPath: () => ouPath }),
    policy: deps.policy,
    aws: deps.aws,
    managementAccountId: deps.managementAccountId,
    now: deps.now,
    // One event: the policy's sweep cap is not the limit here; the plan of one source is.
    // One event's plan is small; all events together stay within the policy's hourly cap, organization-wide.
    budget: allBudgets(localBudget(10, 'the per-event bound of 10 writes'), ledgerBudget(deps.ledger, deps.policy.limits.maxEventWritesPerHour, deps.now())),
    ledger: { clockFacts: async (a: string) => (clock !== undefined ? clock : (await deps.ledger.get(a))?.clock) },
  };
}

/**
 * Whether the source carried Insights before the call, from the ledger as it stood then: it analyzed or had Insights;
 * a source the ledger never saw had them if the call was the one that changed them. A source just created carried
 * nothing.
 */
function formerCarrier(before: SourceRecord, eventName: string): boolean {
  if (eventName === 'CreateTrail' || eventName === 'CreateEventDataStore') return false;
  if (before.carrier) return before.carrier.analyzing;
  if (before.clock) return Object.keys(before.clock.channels).length > 0;
  return eventName === 'PutInsightSelectors';
}

/**
 * The trails whose Insights analyze an account-region, as the ledger knows them: its own trails homed there, its
 * multi-Region trails homed elsewhere, and the organization's trails (owned by the management account) that are
 * multi-Region or homed there. The ledger is keyed by home account-region, so the other homes are each asked (the
 * policy's regions): Insights events are rare, and a trail without a known carrier scope is not guessed at.
 */
/**
 * The record write that settles a repair. Fenced by the lease: if the lease was lost meanwhile, the write is refused
 * (LeaseLostError, rethrown: the event is retried), but the windows the writes began are still moved to when CloudTrail
 * accepted them (amendClockLater), so the write-ahead intent's earlier dates do not stay.
 */
async function settle(ledger: Ledger, where: { arn: string; kind: SourceKind; accountId: string; region: string }, written: ClockFacts | undefined, change: (r: SourceRecord) => SourceRecord): Promise<void> {
  try {
    await updateRecord(ledger, where, change);
  } catch (e) {
    if ((e as Error).name === 'LeaseLostError' && written) await amendClockLater(ledger, where, written).catch(() => undefined);
    throw e;
  }
}

async function trailsAnalyzing(accountId: string, region: string, deps: EventHandlerDeps): Promise<SourceRecord[]> {
  const regions = regionsInScope(deps.policy);
  const homes = [...new Set([region, ...regions])].map((r) => ({ accountId, region: r }));
  if (accountId !== deps.managementAccountId) homes.push(...regions.map((r) => ({ accountId: deps.managementAccountId, region: r })));
  const found = (await Promise.all(homes.map((h) => deps.ledger.sourcesIn(h.accountId, h.region)))).flat();
  const byArn = new Map<string, SourceRecord>();
  for (const r of found) {
    if (r.kind !== 'trail' || r.deletedAt) continue;
    const ownHere = r.accountId === accountId && r.region === region;
    const ownWide = r.accountId === accountId && r.carrier?.multiRegion === true;
    const organization = r.accountId === deps.managementAccountId && r.carrier?.organization === true && (r.carrier.multiRegion || r.carrier.homeRegion === region);
    if (ownHere || ownWide || organization) byArn.set(r.arn, r);
  }
  return [...byArn.values()];
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

/** limits.maxEventWritesPerHour as a budget: one counter per clock hour in the ledger, shared by every invocation. */
function ledgerBudget(ledger: Ledger, cap: number, now: Date): WriteBudget {
  const hour = now.toISOString().slice(0, 13);
  const counter = `event-writes#${hour}`;
  const expires = new Date(Date.parse(`${hour}:00:00.000Z`) + 2 * 3_600_000);
  return {
    setting: 'limits.maxEventWritesPerHour',
    reserve: (n) => ledger.reserve(counter, n, cap, expires),
    release: (n) => ledger.release(counter, n),
    left: () => undefined,
  };
}

/** A deleted source's record is kept 35 days (its history), then forgotten; nothing else changes it meanwhile. */
async function forget(arn: string, at: string, ledger: Ledger): Promise<void> {
  if (!(await ledger.get(arn))) return;
  const parsed = parseCloudTrailArn(arn)!;
  await updateRecord(ledger, { arn, kind: parsed.resourceType === 'trail' ? 'trail' : 'eventDataStore', accountId: parsed.accountId, region: parsed.region }, (r) => ({ ...r, deletedAt: at }));
}
