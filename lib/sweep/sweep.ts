/**
 * The scheduled drift sweep on SQS fan-out. The scheduler enumerates the in-scope ACTIVE accounts x the policy's
 * regions and enqueues one message per account, its regions in it (SendMessageBatch, 10 at a time, retrying entries
 * SQS refused), then a finalize message delayed to the deadline; the worker opens the account's session once and runs
 * the shared pipeline for each of its account-regions, recording each report under the sweep id; the report that completes the sweep, or the finalize
 * message, ends it (lib/sweep/finish.ts: summary stored once, digest sent).
 * A retryable failure (a read that failed, a throttled or 5xx write) fails the record so SQS redelivers it; an
 * unreachable account (its role missing or denied) is reported, not retried; a malformed message is reported and
 * dropped (it would fail forever).
 */
import type { AwsClients } from '../aws/clients';
import type { InsightsSpend } from '../aws/cost-explorer';
import type { Policy } from '../policy/schema';
import type { SweepTargets } from '../pipeline/coverage';
import { remediate, type AccountRegionResult, type RemediateDeps } from '../pipeline/remediate';
import { carrierScopeOf, recordedWrites, recordIntent, sameScope, updateRecord, type Ledger, type SourceRecord } from '../ledger/ledger';
import { mergeClockFacts } from '../domain/insights-clock';
import { ledgerGate } from '../pipeline/source-gate';
import { scheduleFinalize, type DelayedQueuePort, type FinishDeps } from './finish';
import { accountRegionKey, messageBatches } from './messages';
import type { SweepRecord, SweepStore } from './store';
import { summarize, type SweepSummary } from '../report/summary';

export interface QueuePort extends DelayedQueuePort {
  /** Returns the entry ids SQS did not accept. */
  sendBatch(entries: { Id: string; MessageBody: string }[]): Promise<{ failedIds: string[] }>;
}

export interface SchedulerDeps {
  aws: AwsClients;
  policy: Policy;
  queue: QueuePort;
  store: SweepStore;
  now: () => Date;
  /** How long the sweep may take before its summary is written with what reported. Default 15 minutes. */
  timeoutMs?: number;
  /** Last month's measured Insights spend (one Cost Explorer request), asked once per coverage sweep. */
  spend?: () => Promise<InsightsSpend>;
}

export async function startSweep(
  sweepId: string,
  deps: SchedulerDeps,
  only?: SweepTargets,
): Promise<{ sweepId: string; enqueued: number; accounts: number; regions: number; skipped: { id: string; reason: string }[] }> {
  // Loaded here, on first use: the sweep worker starts a sweep only when an event asks for a targeted one, and then
  // pays for the Organizations SDK; its cold start does not.
  const { discoverTargets, organizationsClient } = await import('../aws/organization');
  const targets = await discoverTargets(organizationsClient(deps.aws), deps.policy);
  const wanted = only && only.accounts !== 'organization' ? new Set(only.accounts) : undefined;
  const accounts = wanted ? targets.accounts.filter((a) => wanted.has(a.id)) : targets.accounts;
  const regions = only?.regions ? targets.regions.filter((r) => only.regions!.includes(r)) : targets.regions;
  // Coverage: the management account is always surveyed, in every region (it owns the organization's carriers), and a
  // sweep of some regions surveys its accounts' other regions too (their multi-Region carriers live there); only the
  // targeted account-regions are judged.
  const coverage = deps.policy.objective === 'coverage';
  const judged = accounts.flatMap((a) => regions.map((region) => accountRegionKey({ accountId: a.id, region })));
  const mgmtIn = targets.accounts.find((a) => a.id === targets.managementAccountId);
  const surveyed = coverage ? [...accounts, ...(accounts.some((a) => a.id === targets.managementAccountId) ? [] : [mgmtIn ?? { id: targets.managementAccountId, name: targets.managementAccountId, ...(targets.managementAccountOuPath && { ouPath: targets.managementAccountOuPath }) }])] : accounts;
  const surveyedRegions = coverage ? targets.regions : regions;
  const expected = surveyed.flatMap((a) => surveyedRegions.map((region) => accountRegionKey({ accountId: a.id, region })));
  const batches = messageBatches(sweepId, surveyed.map((a) => ({ ...a, regions: surveyedRegions })));
  const judgedSet = new Set(judged);
  const now = deps.now();
  await deps.store.start(
    sweepId,
    expected,
    now.toISOString(),
    new Date(now.getTime() + (deps.timeoutMs ?? 15 * 60_000)).toISOString(),
    coverage ? { extras: expected.filter((k) => !judgedSet.has(k)), organizationAccounts: targets.organizationAccounts, ...(deps.spend && { spend: await deps.spend() }) } : undefined,
  );
  const enqueued = await sendAll(deps.queue, batches);
  await scheduleFinalize(sweepId, deps.queue, deps.timeoutMs ?? 15 * 60_000);
  return { sweepId, enqueued, accounts: accounts.length, regions: regions.length, skipped: targets.skipped };
}

/** Sends every batch, retrying the entries SQS refused up to five times; returns how many were sent. */
export async function sendAll(queue: QueuePort, batches: readonly { Id: string; MessageBody: string }[][]): Promise<number> {
  let sent = 0;
  for (const batch of batches) {
    let pending = batch;
    for (let attempt = 0; pending.length && attempt < 5; attempt++) {
      const { failedIds } = await queue.sendBatch(pending);
      sent += pending.length - failedIds.length;
      pending = pending.filter((e) => failedIds.includes(e.Id));
    }
    if (pending.length) throw new Error(`SQS refused ${pending.length} message(s) five times: ${pending.map((e) => e.Id).join(', ')}`);
  }
  return sent;
}

export interface WorkerDeps extends Omit<RemediateDeps, 'ouPath' | 'ledger'>, Omit<FinishDeps, 'now' | 'queue'> {
  /** How long a sweep the worker starts (a targeted one) may take. Default 15 minutes. */
  sweepTimeoutMs?: number;
  /** Account-regions worked on at once in one container (lib/sweep/worker.ts); default 4. */
  regionLanes?: number;
  /** The sweep queue: the finalize message, a coverage sweep's repair messages, and account-regions to retry. */
  queue: QueuePort;
  /** The ledger: Insights clocks across sweeps, and the Slack messages a digest carries. */
  ledger?: Ledger;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * One account-region of a sweep (or, with `only`, the named sources in it), as the worker and the CLI run it: one
 * ledger query gives every source's Insights clock (and the Slack messages still owed), the shared pipeline runs
 * (writing, or with `apply: false` only surveying), and the clocks it changed go back to the ledger.
 */
export async function sweepOne(
  where: { accountId: string; region: string; ouPath?: string[] | undefined; only?: readonly string[] },
  deps: Omit<RemediateDeps, 'ouPath' | 'ledger'> & { ledger?: Ledger | undefined },
): Promise<{ result: AccountRegionResult; known: SourceRecord[] }> {
  const { accountId, region, ouPath } = where;
  const known = deps.ledger ? await deps.ledger.sourcesIn(accountId, region) : [];
  const byArn = new Map(known.map((k) => [k.arn, k]));
  const targets = where.only ? where.only.map((arn) => ({ kind: 'source' as const, accountId, region, arn })) : [{ kind: 'accountRegion' as const, accountId, region }];
  const ledger = deps.ledger;
  const out = await remediate(targets, {
    ...deps,
    ledger: { clockFacts: async (arn) => byArn.get(arn)?.clock },
    ...(ouPath && { ouPath: () => ouPath }),
    // Writes wait for the source's lock and honour its breaker, and are recorded before they are made.
    ...(ledger && {
      gate: ledgerGate(ledger, known, { maxRepairs: deps.policy.limits.breaker.maxRepairs, windowMs: deps.policy.limits.breaker.windowMinutes * 60_000 }, deps.now),
      beforeWrite: (source, actions, clock) => recordIntent(ledger, source, actions, clock, deps.now().toISOString()),
      ...(ledger.mayAct && { mayAct: (a: string) => ledger.mayAct!(a) }),
    }),
  });
  const result = out.results[0]!;
  if (deps.ledger) await rememberClocks(deps.ledger, result, deps.now(), known);
  return { result, known };
}

/**
 * What the next run needs of this one, written only when it changed: the Insights clocks the run moved (a repair, a
 * restart, a first sighting) with what was repaired, and each carrier's scope (what it covers, whether it analyzes).
 */
export async function rememberClocks(ledger: Ledger, r: AccountRegionResult, now: Date, known: readonly SourceRecord[] = []): Promise<void> {
  const before = new Map(known.map((k) => [k.arn, k]));
  const scopes = new Map(r.carriers.map((c) => [c.arn, carrierScopeOf(c)]));
  const changedScope = r.decisions.filter((d) => scopes.has(d.source.arn) && !sameScope(before.get(d.source.arn)?.carrier, scopes.get(d.source.arn)));
  const arns = new Set([...r.clockUpdates.map((u) => u.arn), ...changedScope.map((d) => d.source.arn)]);
  for (const arn of arns) {
    const u = r.clockUpdates.find((x) => x.arn === arn);
    const kind = u?.kind ?? r.decisions.find((d) => d.source.arn === arn)!.source.kind;
    const applied = r.outcomes.filter((o) => o.status === 'applied' && o.action.sourceArn === arn);
    const operations = applied.map((o) => o.action.operation);
    const scope = scopes.get(arn);
    const settled = r.outcomes.some((o) => o.action.sourceArn === arn && o.status !== 'planned');
    await updateRecord(ledger, { arn, kind, accountId: r.accountId, region: r.region }, ({ deletedAt: _seen, intent, ...x }) => ({
      ...x,
      // The intent recorded before this run's writes is settled by their outcome; another's stays.
      ...(intent && !settled && { intent }),
      ...(u && { clock: mergeClockFacts(u.base, u.facts, x.clock) }),
      ...(scope && { carrier: scope }),
      ...(operations.length && { lastRepair: { at: now.toISOString(), operations, writes: recordedWrites(applied, now.toISOString()) } }),
    }));
  }
}

/**
 * The summary, once every account-region reported or the deadline passed; undefined while the sweep is still running.
 * `summaryOf` judges coverage for a coverage sweep (lib/sweep/coverage-sweep.ts).
 */
export async function sweepSummary(sweepId: string, store: SweepStore, now: Date, force = false, summaryOf?: (s: SweepRecord, timedOut: boolean) => SweepSummary): Promise<SweepSummary | undefined> {
  const s = await store.load(sweepId);
  if (!s) return undefined;
  // Once the sweep has ended, whether it timed out is settled by its stored summary, not by the time of asking.
  const timedOut = s.summary?.timedOut ?? now.getTime() >= Date.parse(s.deadline);
  const summary = summaryOf ? summaryOf(s, timedOut) : summarize(sweepId, s.expected, s.reports, timedOut);
  return summary.complete || timedOut || force ? summary : undefined;
}
