/**
 * The sweep worker's SQS batch: account messages (a survey or sweep of an account's regions), coverage repairs, the
 * sweep's finalize message, and the start of a sweep of the account-regions an event took coverage from.
 * An account's regions are handled where its session is: the worker opens the account's session (one AssumeRole per
 * member account per sweep, kept in memory only), then its regions run on the container's lanes alongside other
 * accounts' regions, each account-region reporting on its own. everySource sweeps repair each account-region where it
 * stands; coverage sweeps survey it, and the report that completes the survey plans the repairs
 * (lib/sweep/coverage-sweep.ts).
 * Retries stay per account-region: regions that failed for a retryable reason (a read that failed, a throttled or 5xx
 * write) are sent again as a message of their own, delayed, at most MAX_ATTEMPTS times, and the account's record
 * succeeds; after that, or when the re-send fails, the record fails and SQS redelivers it (its dead-letter queue sees
 * what never succeeds). A redelivered or duplicate account message is harmless: every region reads before it decides,
 * so nothing repaired is written again, and a report replaces its own. An unreachable account (its role missing or
 * denied) is reported, not retried; a malformed message is reported and dropped (it would fail forever).
 * Lambda's timeout: an account is started only with RESERVE_MS of the invocation left; the records not started are
 * sent again as they are, so a long batch never dies mid-account waiting for SQS's visibility timeout (1,800 s) to
 * bring it back. A crash still loses nothing: the batch returns after the visibility timeout.
 */
import { retryableFailure } from '../pipeline/remediate';
import { finishSweep } from './finish';
import { once } from '../once';
import type { importToSecurityHub } from './security-hub';
import { parseSweepMessage, retryMessage, SweepMessageError, type AccountMessage } from './messages';
import { reportOf } from '../report/summary';
import { sweepBudget } from './store';
import { startSweep, sweepOne, type WorkerDeps } from './sweep';

/** Re-sends of an account's failed regions before the record itself fails. */
export const MAX_ATTEMPTS = 4;
/** An account is started only with this much of the invocation left (a region takes seconds; retries add backoff). */
export const RESERVE_MS = 60_000;
/** Account-regions a container works on at once, by default (SWEEP_REGION_LANES). */
export const DEFAULT_LANES = 4;

export interface SweepRecordIn {
  messageId: string;
  body: string;
}

export interface BatchOptions {
  /** Milliseconds left in the invocation (Lambda's context.getRemainingTimeInMillis); unlimited when absent. */
  remainingMs?: () => number;
}

export interface RecordFailure {
  messageId: string;
  reason: string;
}

// A coverage sweep's plan, its repairs and its summary run a few times per sweep, in whichever containers complete the
// survey, take a repair message or end the sweep: their module (lib/sweep/coverage-sweep.ts and the coverage planning
// it brings) is loaded then, not at every container's cold start.
const coverageSweep = once(() => import('./coverage-sweep'));

/** The coverage module, and the deps that end a coverage sweep with its coverage judged in the summary. */
async function withCoverage(deps: WorkerDeps): Promise<{ cov: Awaited<ReturnType<typeof coverageSweep>>; deps: WorkerDeps }> {
  const cov = await coverageSweep();
  return { cov, deps: deps.policy.objective === 'coverage' ? { ...deps, summaryOf: (s, timedOut) => cov.coverageSummary(deps.policy, s, timedOut) } : deps };
}

/** The deps that end a sweep: a coverage sweep's summary judges coverage (its module loaded then); everySource's does not. */
async function endingDeps(deps: WorkerDeps): Promise<WorkerDeps> {
  return deps.policy.objective === 'coverage' ? (await withCoverage(deps)).deps : deps;
}

/** Handles one SQS batch; returns the records to report as batch item failures, with why. */
export async function sweepBatch(records: readonly SweepRecordIn[], workerDeps: WorkerDeps, options: BatchOptions = {}): Promise<RecordFailure[]> {
  const deps = workerDeps;
  const failed: RecordFailure[] = [];
  // Duplicates of an account in one batch (a redelivery next to a retry) are swept once, their regions merged.
  const accounts = new Map<string, { message: AccountMessage; ids: string[]; bodies: string[] }>();
  for (const record of records) {
    let message;
    try {
      message = parseSweepMessage(record.body);
    } catch (e) {
      if (e instanceof SweepMessageError) {
        deps.log?.('sweep message dropped', { reason: e.message });
        continue;
      }
      throw e;
    }
    if (isAccountMessage(message)) {
      const key = `${message.sweepId}/${message.accountId}`;
      const held = accounts.get(key);
      if (held) {
        held.message = { ...held.message, regions: [...new Set([...held.message.regions, ...message.regions])], ...(message.attempt !== undefined && { attempt: Math.max(message.attempt, held.message.attempt ?? 0) }) };
        held.ids.push(record.messageId);
        held.bodies.push(record.body);
      } else accounts.set(key, { message, ids: [record.messageId], bodies: [record.body] });
      continue;
    }
    try {
      await otherMessage(message, deps);
    } catch (e) {
      const reason = `${(e as Error).name}: ${(e as Error).message}`;
      deps.log?.('sweep record failed', { reason });
      failed.push({ messageId: record.messageId, reason });
    }
  }
  failed.push(...(await sweepAccounts([...accounts.values()], deps, options)));
  return failed;
}

const isAccountMessage = (m: ReturnType<typeof parseSweepMessage>): m is AccountMessage => 'accountId' in m && 'regions' in m;

async function otherMessage(message: Exclude<ReturnType<typeof parseSweepMessage>, AccountMessage>, deps: WorkerDeps): Promise<void> {
  if ('finalize' in message) {
    const { outcome } = await finishSweep(message.sweepId, await endingDeps(deps), 'deadline');
    deps.log?.('sweep finalize', { sweepId: message.sweepId, outcome });
    await coverageToHub(message.sweepId, outcome, deps);
    if (outcome === 'digest undelivered') throw new Error(`sweep ${message.sweepId}: the digest was not delivered; retrying`);
    return;
  }
  if ('start' in message) {
    const { sweepId, accounts, regions, reason } = message;
    const out = await startSweep(sweepId, { aws: deps.aws, policy: deps.policy, queue: deps.queue, store: deps.store, now: deps.now, ...(deps.sweepTimeoutMs && { timeoutMs: deps.sweepTimeoutMs }) }, { accounts, ...(regions && { regions }) });
    deps.log?.('targeted sweep started', { sweepId, reason, enqueued: out.enqueued });
    return;
  }
  if (!(await known(message.sweepId, deps))) return;
  const { cov, deps: repairing } = await withCoverage(deps);
  const { completed, result } = await cov.repairAccountRegion(message, repairing);
  // The repaired carriers' findings (PASSED once repaired); the account-region's coverage finding comes with its survey.
  await hubImport(result, message.sweepId, deps, { sources: true, coverage: false });
  if (completed) await finish(message.sweepId, deps);
}

/** A message for a sweep that was never started (or has expired) would read, write and then fail five times. */
async function known(sweepId: string, deps: WorkerDeps): Promise<boolean> {
  if (await deps.store.known(sweepId)) return true;
  deps.log?.('sweep message dropped', { reason: `sweep ${sweepId} was never started (or has expired): nothing read or written` });
  return false;
}

type Held = { message: AccountMessage; ids: string[]; bodies: string[] };
type Job = { kind: 'open'; held: Held } | { kind: 'region'; held: Held; region: string };

/**
 * The accounts' regions on `lanes` concurrent lanes. A lane that takes an account opens its session and puts the
 * account's regions at the front of the queue, so its regions run next, each on whichever lane is free, and no lane
 * waits on another's AssumeRole.
 */
async function sweepAccounts(accounts: Held[], deps: WorkerDeps, options: BatchOptions): Promise<RecordFailure[]> {
  const failed: RecordFailure[] = [];
  const fail = (held: Held, reason: string) => failed.push(...held.ids.map((messageId) => ({ messageId, reason })));
  const retryRegions = new Map<Held, string[]>();
  const reasons = new Map<Held, string>();
  const queue: Job[] = accounts.map((held) => ({ kind: 'open', held }));
  const lanes = Math.max(1, deps.regionLanes ?? DEFAULT_LANES);
  let opening = 0;
  let wake: () => void = () => undefined;
  const lane = async (): Promise<void> => {
    for (;;) {
      const job = queue.shift();
      if (!job) {
        // Another lane is opening an account whose regions are about to arrive: wait for them.
        if (opening === 0) return;
        await new Promise<void>((resolve) => (wake = chain(wake, resolve)));
        continue;
      }
      const { held } = job;
      if (job.kind === 'open') {
        opening++;
        const started = await openAccount(held, deps, options).catch((e: Error) => {
          deps.log?.('sweep record failed', { reason: `${e.name}: ${e.message}` });
          fail(held, `${e.name}: ${e.message}`);
          return false;
        });
        if (started) queue.unshift(...held.message.regions.map((region): Job => ({ kind: 'region', held, region })));
        opening--;
        const waiting = wake;
        wake = () => undefined;
        waiting();
        continue;
      }
      const retry = await sweepRegion(held.message, job.region, deps).catch((e: Error) => `${e.name}: ${e.message}`);
      if (retry) {
        deps.log?.('sweep account-region failed', { accountId: held.message.accountId, region: job.region, reason: retry });
        retryRegions.set(held, [...(retryRegions.get(held) ?? []), job.region]);
        reasons.set(held, retry);
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  for (const [held, regions] of retryRegions) {
    const attempt = held.message.attempt ?? 0;
    if (attempt >= MAX_ATTEMPTS) {
      fail(held, `${regions.length} region(s) still failing after ${attempt} retries: ${reasons.get(held)}`);
      continue;
    }
    // 10 s, 20 s, 40 s, 80 s: past a throttling burst or a 5xx spell, well inside a sweep's deadline.
    await deps.queue.send(retryMessage(held.message, regions), Math.min(900, 10 * 2 ** attempt)).catch((e: Error) => fail(held, `the retry of ${regions.join(', ')} was not sent: ${e.name}: ${e.message}`));
  }
  return failed;
}

const chain = (a: () => void, b: () => void) => () => (a(), b());

/** Whether the account's regions may start now; a record not started is sent again, as it is, for another invocation. */
async function openAccount(held: Held, deps: WorkerDeps, options: BatchOptions): Promise<boolean> {
  if (options.remainingMs && options.remainingMs() < RESERVE_MS) {
    for (const body of held.bodies) await deps.queue.send(body, 0);
    deps.log?.('sweep account deferred', { accountId: held.message.accountId, reason: `less than ${RESERVE_MS / 1000} s of the invocation left` });
    return false;
  }
  if (!(await known(held.message.sweepId, deps))) return false;
  // Refused (a missing or denied role): each region's first call meets the refusal again and reports it unreachable.
  await deps.aws.session(held.message.accountId).catch(() => undefined);
  return true;
}

/** One account-region: sweep (or survey), report, and plan or finish the sweep if this report completed it. */
async function sweepRegion(message: AccountMessage, region: string, deps: WorkerDeps): Promise<string | undefined> {
  const coverage = deps.policy.objective === 'coverage';
  // everySource writes here, under the sweep's one cap; coverage only surveys (its plan holds the cap).
  const budget = sweepBudget(deps.store, message.sweepId, deps.policy.limits.maxWritesPerSweep);
  const { result: r, known: records } = await sweepOne({ accountId: message.accountId, region, ouPath: message.ouPath }, { ...deps, apply: !coverage, budget });
  const undelivered = records.reduce((n, k) => n + (k.undelivered?.length ?? 0), 0);
  const { completed, unplanned } = await deps.store.record(message.sweepId, { ...reportOf(r, deps.now(), { survey: coverage }), ...(undelivered && { undelivered }) });
  // everySource: every judged source as this sweep left it; coverage: the survey's account-region finding (its sources
  // are judged by the plan, and their repairs import their own findings).
  await hubImport(r, message.sweepId, deps, coverage ? { sources: false, coverage: true } : { sources: true, coverage: true });
  if (completed || (coverage && unplanned)) {
    if (coverage) {
      // The plan must be sent: a failure here fails this account-region, and its retry plans again.
      const { cov, deps: planning } = await withCoverage(deps);
      const outcome = await cov.planSweep(message.sweepId, planning);
      deps.log?.('sweep surveyed', { sweepId: message.sweepId, outcome });
      await coverageToHub(message.sweepId, outcome, deps);
    } else await finish(message.sweepId, deps);
  }
  return retryableFailure(r);
}

/** The Security Hub import is a side report: whatever happens to it, the account-region's result stands. */
// The import is opt-in (policy `securityHub.import`): its module, the ASFF export and the Security Hub SDK (about
// 180 KB minified, most of it the finding's schema) are loaded on first use, a chunk of their own in the Lambda bundle,
// so a worker that does not import findings never pays for them at cold start.
async function hubImport(r: Parameters<typeof importToSecurityHub>[0], sweepId: string, deps: WorkerDeps, what: { sources: boolean; coverage: boolean }): Promise<void> {
  if (!deps.policy.securityHub.import) return;
  await import('./security-hub')
    .then(({ importToSecurityHub }) => importToSecurityHub(r, sweepId, deps, what))
    .catch((e: Error) => deps.log?.('security hub import failed', { accountId: r.accountId, region: r.region, reason: `${e.name}: ${e.message}` }));
}

async function coverageToHub(sweepId: string, outcome: string, deps: WorkerDeps): Promise<void> {
  if (!deps.policy.securityHub.import) return;
  await import('./security-hub')
    .then(({ importCoverage }) => importCoverage(sweepId, outcome, deps))
    .catch((e: Error) => deps.log?.('security hub import failed', { sweepId, reason: `${e.name}: ${e.message}` }));
}

/** The digest must not fail the record that completed the sweep (SQS would run it again): the deadline retries it. */
async function finish(sweepId: string, deps: WorkerDeps): Promise<void> {
  const finished = await endingDeps(deps)
    .then((ending) => finishSweep(sweepId, ending, 'completed'))
    .catch((e: Error) => ({ outcome: `failed: ${e.name}: ${e.message}` }));
  deps.log?.('sweep complete', { sweepId, outcome: finished.outcome });
  await coverageToHub(sweepId, finished.outcome, deps);
}
