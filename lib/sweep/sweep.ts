/**
 * The scheduled drift sweep on SQS fan-out. The scheduler enumerates the in-scope ACTIVE accounts x the policy's
 * regions and enqueues one message per account-region (SendMessageBatch, 10 at a time, retrying entries SQS
 * refused); the worker runs the shared pipeline for its account-region and records the report under the sweep id.
 * A retryable failure (a read that failed, a throttled or 5xx write) fails the record so SQS redelivers it; an
 * unreachable account (its role missing or denied) is reported, not retried; a malformed message is reported and
 * dropped (it would fail forever).
 */
import type { AwsClients } from '../aws/clients';
import { discoverTargets } from '../aws/organization';
import type { Policy } from '../policy/schema';
import { remediate, type RemediateDeps } from '../pipeline/remediate';
import { accountRegionKey, messageBatches, parseSweepMessage, SweepMessageError } from './messages';
import type { SweepStore } from './store';
import { reportOf, summarize, type SweepSummary } from './summary';

export interface QueuePort {
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
  const expected = batches.flat().map((e) => JSON.parse(e.MessageBody) as { accountId: string; region: string }).map(accountRegionKey);
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
  return { sweepId, enqueued, accounts: targets.accounts.length, regions: targets.regions.length, skipped: targets.skipped };
}

export interface WorkerDeps extends Omit<RemediateDeps, 'ouPath'> {
  store: SweepStore;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** Handles one SQS record; throws to have SQS redeliver it. */
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
  const ouPath = message.ouPath;
  const result = await remediate([{ kind: 'accountRegion', accountId: message.accountId, region: message.region }], { ...deps, ...(ouPath && { ouPath: () => ouPath }) });
  const r = result.results[0]!;
  await deps.store.record(message.sweepId, reportOf(r, deps.now()));
  if (r.status === 'failed' && r.error?.retryable) throw new Error(`${accountRegionKey(message)}: ${r.error.name}: ${r.error.message}`);
  const retryableWrite = r.outcomes.find((o) => o.status === 'failed' && o.error.retryable);
  if (retryableWrite && retryableWrite.status === 'failed') throw new Error(`${accountRegionKey(message)}: ${retryableWrite.action.operation} failed: ${retryableWrite.error.name}`);
}

/** The summary, once every account-region reported or the deadline passed; undefined while the sweep is still running. */
export async function sweepSummary(sweepId: string, store: SweepStore, now: Date, force = false): Promise<SweepSummary | undefined> {
  const s = await store.load(sweepId);
  if (!s) return undefined;
  const timedOut = now.getTime() >= Date.parse(s.deadline);
  const summary = summarize(sweepId, s.expected, s.reports, timedOut);
  return summary.complete || timedOut || force ? summary : undefined;
}
