/**
 * The sweep worker's one SQS record: a survey or sweep of an account-region, a coverage repair, the sweep's finalize
 * message, or the start of a sweep of the account-regions an event took coverage from. everySource sweeps repair each account-region where it stands; coverage sweeps survey it, and the
 * report that completes the survey plans the repairs (lib/sweep/coverage-sweep.ts). A retryable failure (a read that
 * failed, a throttled or 5xx write) fails the record so SQS redelivers it; an unreachable account (its role missing or
 * denied) is reported, not retried; a malformed message is reported and dropped (it would fail forever).
 */
import { retryableFailure } from '../pipeline/remediate';
import { coverageSummary, planSweep, repairAccountRegion } from './coverage-sweep';
import { finishSweep } from './finish';
import { parseSweepMessage, SweepMessageError } from './messages';
import { reportOf } from './summary';
import { sweepBudget } from './store';
import { startSweep, sweepOne, type WorkerDeps } from './sweep';

/** Throws to have SQS redeliver the record. */
export async function sweepAccountRegion(body: string, workerDeps: WorkerDeps): Promise<void> {
  const coverage = workerDeps.policy.objective === 'coverage';
  const deps: WorkerDeps = coverage ? { ...workerDeps, summaryOf: (s, timedOut) => coverageSummary(workerDeps.policy, s, timedOut) } : workerDeps;
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
  if ('start' in message) {
    const { sweepId, accounts, regions, reason } = message;
    const out = await startSweep(sweepId, { aws: deps.aws, policy: deps.policy, queue: deps.queue, store: deps.store, now: deps.now, ...(deps.sweepTimeoutMs && { timeoutMs: deps.sweepTimeoutMs }) }, { accounts, ...(regions && { regions }) });
    deps.log?.('targeted sweep started', { sweepId, reason, enqueued: out.enqueued });
    return;
  }
  // A message for a sweep that was never started (or has expired) would read, write and then fail five times.
  if (!(await deps.store.known(message.sweepId))) {
    deps.log?.('sweep message dropped', { reason: `sweep ${message.sweepId} was never started (or has expired): nothing read or written` });
    return;
  }
  if ('repair' in message) {
    const { completed } = await repairAccountRegion(message, deps);
    if (completed) await finish(message.sweepId, deps);
    return;
  }
  // everySource writes here, under the sweep's one cap; coverage only surveys (its plan holds the cap).
  const budget = sweepBudget(deps.store, message.sweepId, deps.policy.limits.maxWritesPerSweep);
  const { result: r, known } = await sweepOne(message, { ...deps, apply: !coverage, budget });
  const undelivered = known.reduce((n, k) => n + (k.undelivered?.length ?? 0), 0);
  const { completed, unplanned } = await deps.store.record(message.sweepId, { ...reportOf(r, deps.now(), { survey: coverage }), ...(undelivered && { undelivered }) });
  if (completed || (coverage && unplanned)) {
    if (coverage) {
      // The plan must be sent: a failure here fails this record, and SQS brings it back to plan again.
      const outcome = await planSweep(message.sweepId, deps);
      deps.log?.('sweep surveyed', { sweepId: message.sweepId, outcome });
    } else await finish(message.sweepId, deps);
  }
  const retry = retryableFailure(r);
  if (retry) throw new Error(retry);
}

/** The digest must not fail the record that completed the sweep (SQS would run it again): the deadline retries it. */
async function finish(sweepId: string, deps: WorkerDeps): Promise<void> {
  const finished = await finishSweep(sweepId, deps, 'completed').catch((e: Error) => ({ outcome: `failed: ${e.name}: ${e.message}` }));
  deps.log?.('sweep complete', { sweepId, outcome: finished.outcome });
}
