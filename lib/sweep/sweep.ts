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
import { remediate, retryableFailure, type AccountRegionResult, type RemediateDeps } from '../pipeline/remediate';
import { updateRecord, type Ledger, type SourceRecord } from '../ledger/ledger';
import { finishSweep, scheduleFinalize, type DelayedQueuePort, type FinishDeps } from './finish';
import { accountRegionKey, messageBatches, parseSweepMessage, SweepMessageError } from './messages';
import type { SweepStore } from './store';
import { reportOf, summarize, type SweepSummary } from './summary';

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

export async function startSweep(sweepId: string, deps: SchedulerDeps): Promise<{ sweepId: string; enqueued: number; accounts: number; regions: number; skipped: { id: string; reason: string }[] }> {
  const targets = await discoverTargets(deps.aws.organizations(), deps.policy);
  const batches = messageBatches(sweepId, targets.accounts, targets.regions);
  const expected = targets.accounts.flatMap((a) => targets.regions.map((region) => accountRegionKey({ accountId: a.id, region })));
  const now = deps.now();
  await deps.store.start(sweepId, expected, now.toISOString(), new Date(now.getTime() + (deps.timeoutMs ?? 15 * 60_000)).toISOString());
  let enqueued = 0;
  for (const batch of batches) {
    let pending = batch;
    for (let attempt = 0; pending.length && attempt < 5; attempt++) {
      const { failedIds } = await deps.queue.sendBatch(pending);
      enqueued += pending.length - failedIds.length;
      pending = pending.filter((e) => failedIds.includes(e.Id));
    }
    if (pending.length) throw new Error(`SQS refused ${pending.length} message(s) five times: ${pending.map((e) => e.Id).join(', ')}`);
  }
  await scheduleFinalize(sweepId, deps.queue, deps.timeoutMs ?? 15 * 60_000);
  return { sweepId, enqueued, accounts: targets.accounts.length, regions: targets.regions.length, skipped: targets.skipped };
}

export interface WorkerDeps extends Omit<RemediateDeps, 'ouPath' | 'ledger'>, Omit<FinishDeps, 'now'> {
  /** The ledger: Insights clocks across sweeps, and the Slack messages a digest carries. */
  ledger?: Ledger;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** Handles one SQS record: an account-region, or the sweep's finalize message. Throws to have SQS redeliver it. */
export async function sweepAccountRegion(body: string, deps: WorkerDeps): Promise<void> {
  let message;
  try {
    message = parseSweepMessage(body);
  } catch (e) {
    if (e instanceof SweepMessageError) {
      deps.log?.('sweep message dropped', { reason: e.message });
      return;
    }
    throw e;
  }
  if ('finalize' in message) {
    const { outcome } = await finishSweep(message.sweepId, deps, 'deadline');
    deps.log?.('sweep finalize', { sweepId: message.sweepId, outcome });
    if (outcome === 'digest undelivered') throw new Error(`sweep ${message.sweepId}: the digest was not delivered; retrying`);
    return;
  }
  const { result: r, known } = await sweepOne(message, deps);
  const undelivered = known.reduce((n, k) => n + (k.undelivered?.length ?? 0), 0);
  const { completed } = await deps.store.record(message.sweepId, { ...reportOf(r, deps.now()), ...(undelivered && { undelivered }) });
  if (completed) {
    // The digest must not fail this account-region (SQS would sweep it again): the deadline trigger retries it.
    const finished = await finishSweep(message.sweepId, deps, 'completed').catch((e: Error) => ({ outcome: `failed: ${e.name}: ${e.message}` }));
    deps.log?.('sweep complete', { sweepId: message.sweepId, outcome: finished.outcome });
  }
  const retry = retryableFailure(r);
  if (retry) throw new Error(retry);
}

/**
 * One account-region of a sweep, as the worker and the CLI run it: one ledger query gives every source's Insights
 * clock (and the Slack messages still owed), the shared pipeline runs, and the clocks it changed go back to the ledger.
 */
export async function sweepOne(
  where: { accountId: string; region: string; ouPath?: string[] | undefined },
  deps: Omit<RemediateDeps, 'ouPath' | 'ledger'> & { ledger?: Ledger | undefined },
): Promise<{ result: AccountRegionResult; known: SourceRecord[] }> {
  const { accountId, region, ouPath } = where;
  const known = deps.ledger ? await deps.ledger.sourcesIn(accountId, region) : [];
  const byArn = new Map(known.map((k) => [k.arn, k]));
  const out = await remediate([{ kind: 'accountRegion', accountId, region }], {
    ...deps,
    ledger: { clockFacts: async (arn) => byArn.get(arn)?.clock },
    ...(ouPath && { ouPath: () => ouPath }),
  });
  const result = out.results[0]!;
  if (deps.ledger) await rememberClocks(deps.ledger, result, deps.now());
  return { result, known };
}

/** Insights clocks the run changed (a repair, a restart, a first sighting), and what was repaired, for the next run. */
async function rememberClocks(ledger: Ledger, r: AccountRegionResult, now: Date): Promise<void> {
  for (const u of r.clockUpdates) {
    const operations = r.outcomes.filter((o) => o.status === 'applied' && o.action.sourceArn === u.arn).map((o) => o.action.operation);
    await updateRecord(ledger, { arn: u.arn, kind: u.kind, accountId: r.accountId, region: r.region }, (x) => ({
      ...x,
      clock: u.facts,
      ...(operations.length && { lastRepair: { at: now.toISOString(), operations } }),
    }));
  }
}

/** The summary, once every account-region reported or the deadline passed; undefined while the sweep is still running. */
export async function sweepSummary(sweepId: string, store: SweepStore, now: Date, force = false): Promise<SweepSummary | undefined> {
  const s = await store.load(sweepId);
  if (!s) return undefined;
  // Once the sweep has ended, whether it timed out is settled by its stored summary, not by the time of asking.
  const timedOut = s.summary?.timedOut ?? now.getTime() >= Date.parse(s.deadline);
  const summary = summarize(sweepId, s.expected, s.reports, timedOut);
  return summary.complete || timedOut || force ? summary : undefined;
}
