/**
 * The scheduled drift sweep on SQS fan-out. The scheduler enumerates the in-scope ACTIVE accounts x the policy's
 * regions and enqueues one message per account-region (SendMessageBatch, 10 at a time, retrying entries SQS
 * refused), then a finalize message delayed to the deadline; the worker runs the shared pipeline for its
 * account-region and records the report under the sweep id; the report that completes the sweep, or the finalize
 * message, ends it (lib/sweep/finish.ts: summary stored once, digest sent).
 * A retryable failure (a read that failed, a throttled or 5xx write) fails the record so SQS redelivers it; an
 * unreachable account (its role missing or denied) is reported, not retried; a malformed message is reported and
 * dropped (it would fail forever).
 */
import type { AwsClients } from '../aws/clients';
import { discoverTargets } from '../aws/organization';
import type { Policy } from '../policy/schema';
import { remediate, type AccountRegionResult, type RemediateDeps } from '../pipeline/remediate';
import { updateRecord, type Ledger, type SourceRecord } from '../ledger/ledger';
import { scheduleFinalize, type DelayedQueuePort, type FinishDeps } from './finish';
import { accountRegionKey, messageBatches } from './messages';
import type { SweepRecord, SweepStore } from './store';
import { summarize, type SweepSummary } from './summary';

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
}

/** A sweep of part of the organization: what an event removed coverage from (lib/pipeline/handle-event.ts). */
export interface SweepTargets {
  /** Account ids, or every account of the organization. */
  accounts: readonly string[] | 'organization';
  /** Regions; absent: every region of the policy. */
  regions?: readonly string[];
}

export async function startSweep(
  sweepId: string,
  deps: SchedulerDeps,
  only?: SweepTargets,
): Promise<{ sweepId: string; enqueued: number; accounts: number; regions: number; skipped: { id: string; reason: string }[] }> {
  const targets = await discoverTargets(deps.aws.organizations(), deps.policy);
  const wanted = only && only.accounts !== 'organization' ? new Set(only.accounts) : undefined;
  const accounts = wanted ? targets.accounts.filter((a) => wanted.has(a.id)) : targets.accounts;
  const regions = only?.regions ? targets.regions.filter((r) => only.regions!.includes(r)) : targets.regions;
  // Coverage: the management account is always surveyed, in every region (it owns the organization's carriers), and
  // judged only when in scope.
  const coverage = deps.policy.objective === 'coverage';
  const judged = accounts.flatMap((a) => regions.map((region) => accountRegionKey({ accountId: a.id, region })));
  const mgmtIn = targets.accounts.find((a) => a.id === targets.managementAccountId);
  const surveyed = coverage ? [...accounts, ...(accounts.some((a) => a.id === targets.managementAccountId) ? [] : [mgmtIn ?? { id: targets.managementAccountId, name: targets.managementAccountId }])] : accounts;
  const surveyedRegions = (a: { id: string }) => (coverage && a.id === targets.managementAccountId ? targets.regions : regions);
  const expected = surveyed.flatMap((a) => surveyedRegions(a).map((region) => accountRegionKey({ accountId: a.id, region })));
  const batches = messageBatches(sweepId, surveyed.map((a) => ({ ...a, regions: surveyedRegions(a) })));
  const judgedSet = new Set(judged);
  const now = deps.now();
  await deps.store.start(
    sweepId,
    expected,
    now.toISOString(),
    new Date(now.getTime() + (deps.timeoutMs ?? 15 * 60_000)).toISOString(),
    coverage ? { extras: expected.filter((k) => !judgedSet.has(k)), organizationAccounts: targets.organizationAccounts } : undefined,
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
  /** The sweep queue: the finalize message, and a coverage sweep's repair messages. */
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
  const out = await remediate(targets, {
    ...deps,
    ledger: { clockFacts: async (arn) => byArn.get(arn)?.clock },
    ...(ouPath && { ouPath: () => ouPath }),
  });
  const result = out.results[0]!;
  if (deps.ledger) await rememberClocks(deps.ledger, result, deps.now());
  return { result, known };
}

/** Insights clocks the run changed (a repair, a restart, a first sighting), and what was repaired, for the next run. */
export async function rememberClocks(ledger: Ledger, r: AccountRegionResult, now: Date): Promise<void> {
  for (const u of r.clockUpdates) {
    const operations = r.outcomes.filter((o) => o.status === 'applied' && o.action.sourceArn === u.arn).map((o) => o.action.operation);
    await updateRecord(ledger, { arn: u.arn, kind: u.kind, accountId: r.accountId, region: r.region }, (x) => ({
      ...x,
      clock: u.facts,
      ...(operations.length && { lastRepair: { at: now.toISOString(), operations } }),
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
