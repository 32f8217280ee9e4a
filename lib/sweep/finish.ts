/**
 * Ending a sweep. Two triggers reach it: the worker whose report completed the sweep, and the delayed finalize message
 * at the deadline (re-sent while the deadline is more than SQS's 15-minute delay away). The summary is stored once
 * (the store's conditional write picks one winner), then handed to the notifier; the digest is marked sent only after
 * delivery, so a crash or a refused webhook leaves it for the deadline trigger (and SQS's redelivery) to send again.
 * A digest may therefore, rarely, arrive twice; it is never lost.
 */
import { finalizeMessage, MAX_DELAY_SECONDS } from './messages';
import type { SweepRecord, SweepStore } from './store';
import { summarize, type SweepSummary } from '../report/summary';

export interface DelayedQueuePort {
  send(body: string, delaySeconds: number): Promise<void>;
}

export interface FinishDeps {
  store: SweepStore;
  queue: DelayedQueuePort;
  now: () => Date;
  /**
   * Delivers the digest; resolves false when it could not be delivered. `accountRegions` are those whose reports
   * carry messages Slack did not take earlier (the digest carries them). No digest when absent.
   */
  digest?: (summary: SweepSummary, accountRegions: string[]) => Promise<boolean>;
  /** The summary of a stored sweep; default: its reports as they are (lib/sweep/coverage-sweep.ts judges coverage). */
  summaryOf?: (s: SweepRecord, timedOut: boolean) => SweepSummary;
}

export type FinishOutcome = 'unknown sweep' | 'still running' | 'rescheduled' | 'finished elsewhere' | 'digest sent' | 'digest undelivered' | 'summarized';

export async function scheduleFinalize(sweepId: string, queue: DelayedQueuePort, msUntilDeadline: number): Promise<void> {
  await queue.send(finalizeMessage(sweepId), Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil(msUntilDeadline / 1000))));
}

export async function finishSweep(sweepId: string, deps: FinishDeps, trigger: 'completed' | 'deadline'): Promise<{ outcome: FinishOutcome; summary?: SweepSummary }> {
  const s = await deps.store.load(sweepId);
  if (!s) return { outcome: 'unknown sweep' };
  if (s.digestSentAt) return { outcome: 'finished elsewhere' };
  const now = deps.now();
  const msLeft = Date.parse(s.deadline) - now.getTime();
  const timedOut = msLeft <= 0;
  const summaryOf = deps.summaryOf ?? ((x: SweepRecord, t: boolean) => summarize(sweepId, x.expected, x.reports, t));
  let summary = s.summary;
  if (!summary) {
    const fresh = summaryOf(s, timedOut);
    if (!fresh.complete && !timedOut) {
      if (trigger === 'deadline') await scheduleFinalize(sweepId, deps.queue, msLeft);
      return { outcome: trigger === 'deadline' ? 'rescheduled' : 'still running' };
    }
    if (!(await deps.store.saveSummary(sweepId, fresh))) return { outcome: 'finished elsewhere' };
    summary = fresh;
  } else if (trigger === 'completed') {
    // Another invocation stored the summary and is sending its digest; only the deadline takes over from it.
    return { outcome: 'finished elsewhere' };
  } else if (!timedOut) {
    await scheduleFinalize(sweepId, deps.queue, msLeft);
    return { outcome: 'rescheduled' };
  } else {
    // The stored summary may be cut to fit its item; the reports give the whole one again.
    summary = summaryOf(s, summary.timedOut);
  }
  if (!deps.digest) {
    await deps.store.markDigestSent(sweepId, now.toISOString());
    return { outcome: 'summarized', summary };
  }
  const carrying = s.reports.filter((r) => r.undelivered).map((r) => r.key);
  if (!(await deps.digest(summary, carrying))) return { outcome: 'digest undelivered', summary };
  await deps.store.markDigestSent(sweepId, deps.now().toISOString());
  return { outcome: 'digest sent', summary };
}
