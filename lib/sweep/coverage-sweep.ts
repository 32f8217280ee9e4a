/**
 * The deployed sweep under the coverage objective, across Lambda invocations. Every account-region is surveyed (read
 * and decided, nothing written; the management account's too, for the organization's carriers) and reports its
 * carriers and sources in short; the report that completes the survey makes the plan, organization-wide, and sends one
 * repair message per account-region holding a carrier to repair or to turn off; each repair reports; the report that
 * completes the repairs (or the deadline) ends the sweep, whose summary is judged on the state the repairs left.
 *
 * The plan is a pure function of the survey and the policy (and the sweep's start time, for exemptions), so the end
 * of the sweep makes it again rather than storing it; only the account-regions its repairs go to are stored, once,
 * to count the repairs. The write cap is the plan's: carriers are repaired in the plan's order until the next one's
 * writes would pass limits.maxWritesPerSweep, whatever number of workers carries them out.
 */
import { localBudget } from '../aws/apply';
import { accountRegionKey } from '../domain/carriers';
import type { CarrierRepair, CoverageJudgement, CoveragePlan, Disabling } from '../domain/coverage-plan';
import { carriersOf, finalJudgements, planRun, spendView, type CoverageFacts, type RunScope } from '../pipeline/coverage';
import { disableRedundant } from '../pipeline/disable-redundant';
import { retryableFailure, type AccountRegionResult } from '../pipeline/remediate';
import type { Policy } from '../policy/schema';
import { finishSweep } from './finish';
import { repairBatches, type RepairMessage } from './messages';
import type { SweepRecord } from './store';
import { reportOf, summarize, tally, type AccountRegionReport, type ReportedSource, type SweepSummary } from '../report/summary';
import { rememberClocks, sendAll, sweepOne, type WorkerDeps } from './sweep';

const scopeOf = (s: SweepRecord): RunScope => {
  const extras = new Set(s.scope?.extras ?? []);
  return {
    judged: s.expected.filter((k) => !extras.has(k)).map((k) => ({ accountId: k.slice(0, 12), region: k.slice(13) })),
    organizationAccounts: s.scope?.organizationAccounts ?? [],
  };
};

const factsOf = (reports: readonly AccountRegionReport[]): CoverageFacts[] =>
  reports.map((r) => ({ accountId: r.key.slice(0, 12), region: r.key.slice(13), status: r.status, carriers: r.survey?.carriers ?? [], shadows: r.survey?.shadows ?? [] }));

/** The plan, and the repairs and disablings within the write cap, in the plan's order. */
export function sweepPlan(policy: Policy, s: SweepRecord): { plan: CoveragePlan; repairs: CarrierRepair[]; disable: Disabling[] } {
  const plan = planRun(policy, scopeOf(s), factsOf(s.reports), new Date(s.startedAt));
  let left = policy.limits.maxWritesPerSweep;
  const fits = (writes: number) => (writes <= left ? ((left -= writes), true) : false);
  const repairs = plan.repairs.filter((r) => fits(r.writes));
  const disable = plan.disable.filter(() => fits(1));
  return { plan, repairs, disable };
}

/** The repair messages: per account-region, its carriers to repair and to turn off. */
export function repairMessages(sweepId: string, s: SweepRecord, repairs: readonly { arn: string }[], disable: readonly { arn: string }[]): RepairMessage[] {
  const carriers = new Map(factsOf(s.reports).flatMap((f) => f.carriers).map((c) => [c.arn, c]));
  const byKey = new Map<string, RepairMessage>();
  const add = (arn: string, field: 'arns' | 'disable') => {
    const c = carriers.get(arn)!;
    const key = accountRegionKey({ accountId: c.accountId, region: c.homeRegion });
    const m = byKey.get(key) ?? { sweepId, repair: true as const, accountId: c.accountId, region: c.homeRegion, arns: [], disable: [] };
    m[field].push(arn);
    byKey.set(key, m);
  };
  for (const r of repairs) add(r.arn, 'arns');
  for (const d of disable) add(d.arn, 'disable');
  return [...byKey.values()];
}

/**
 * Called by the worker whose survey report completed the survey (and again by SQS if it failed): plans, stores the
 * repair account-regions (first caller wins), and sends the repair messages, or ends the sweep when there is nothing
 * to repair (report mode shows the planned calls in the summary).
 */
export async function planSweep(sweepId: string, deps: WorkerDeps): Promise<string> {
  const s = await deps.store.load(sweepId);
  if (!s) return 'unknown sweep';
  const { repairs, disable } = sweepPlan(deps.policy, s);
  const messages = deps.policy.mode === 'enforce' ? repairMessages(sweepId, s, repairs, disable) : [];
  const keys = await deps.store.savePlan(sweepId, messages.map((m) => accountRegionKey(m)));
  if (keys.length === 0) {
    const { outcome } = await finishSweep(sweepId, deps, 'completed');
    return `nothing to repair; ${outcome}`;
  }
  // Sent by every caller that gets here: a duplicate repair message finds its carrier repaired and writes nothing.
  await sendAll(deps.queue, repairBatches(messages));
  return `${messages.length} repair message(s) sent`;
}

/**
 * One repair message: its carriers repaired (and redundant ones turned off), reported; the last report ends the sweep.
 * A write refused for a retryable reason throws before anything is reported, so SQS brings the message back.
 */
export async function repairAccountRegion(m: RepairMessage, deps: WorkerDeps): Promise<{ completed: boolean; report: AccountRegionReport; result: AccountRegionResult }> {
  // The plan already fits the sweep's cap (sweepPlan); this bounds one message to its own carriers' writes: at most
  // three each (event selectors, logging or ingestion, Insights) and one per carrier turned off.
  const budget = localBudget(m.arns.length * 3 + m.disable.length);
  const { result } = await sweepOne({ accountId: m.accountId, region: m.region, ouPath: m.ouPath, only: m.arns }, { ...deps, budget });
  let results = m.arns.length ? [result] : [];
  if (m.disable.length) {
    const s = await deps.store.load(m.sweepId);
    const keptBy = new Map(s ? sweepPlan(deps.policy, s).disable.map((d) => [d.arn, d.keptBy]) : []);
    const ledger = deps.ledger;
    const off = await disableRedundant(
      m.disable.map((arn) => ({ kind: 'source' as const, accountId: m.accountId, region: m.region, arn })),
      keptBy,
      { ...deps, budget, ledger: ledger && { clockFacts: async (arn) => (await ledger.get(arn))?.clock } },
    );
    if (ledger) for (const r of off) await rememberClocks(ledger, r, deps.now());
    results = [...results, ...off];
  }
  const merged = results.reduce((a, b) => ({ ...a, decisions: [...a.decisions, ...b.decisions], outcomes: [...a.outcomes, ...b.outcomes], verified: [...a.verified, ...b.verified], carriers: [...a.carriers, ...b.carriers] }));
  const retry = retryableFailure(merged);
  if (retry) throw new Error(retry);
  const report = reportOf(merged, deps.now(), { survey: true });
  const { completed } = await deps.store.recordRepair(m.sweepId, report);
  return { completed, report, result: merged };
}

/**
 * The summary of a coverage sweep: each survey report with its sources re-counted now that the plan says which are
 * needed (the rest are not-needed), its repair report's fresher sources and writes folded in, and its coverage judged on
 * the carriers the repairs left. Complete once every account-region reported and every planned repair did.
 */
/** Each account-region's coverage as the sweep's repairs left it (the summary's, and the Security Hub import's). */
export function coverageJudgements(policy: Policy, s: SweepRecord): { judgements: Map<string, CoverageJudgement>; facts: CoverageFacts[]; repairs: CarrierRepair[]; disable: Disabling[] } {
  const { plan, repairs, disable } = sweepPlan(policy, s);
  const fresh = new Map(s.repairs.flatMap((r) => r.survey?.carriers ?? []).map((c) => [c.arn, c]));
  const facts = factsOf(s.reports).map((f) => ({ ...f, carriers: f.carriers.map((c) => fresh.get(c.arn) ?? c) }));
  return { judgements: finalJudgements(policy, scopeOf(s), facts, new Date(s.startedAt), plan), facts, repairs, disable };
}

export function coverageSummary(policy: Policy, s: SweepRecord, timedOut: boolean): SweepSummary {
  const { judgements, facts, repairs, disable } = coverageJudgements(policy, s);
  const chosen = new Set([...repairs.map((r) => r.arn), ...disable.map((d) => d.arn)]);
  const repairsByKey = new Map(s.repairs.map((r) => [r.key, r]));
  const reports = s.reports.map((r) => {
    const repaired = repairsByKey.get(r.key);
    const again = new Map((repaired?.survey?.sources ?? []).map((x) => [x.arn, x]));
    const sources: ReportedSource[] = (r.survey?.sources ?? []).map((x) =>
      again.get(x.arn) ?? (chosen.has(x.arn) || (x.status !== 'drifted' && x.status !== 'not-remediable') ? x : { ...x, status: 'not-needed' as const }),
    );
    const t = tally(sources);
    const j = judgements.get(r.key);
    return {
      ...r,
      ...t,
      needsPerson: [...t.needsPerson, ...(j?.status === 'uncovered' && j.remedy ? [`${r.key.replace('/', ' ')} has no Insights: ${j.remedy}`] : [])],
      ...(j && { coverage: j.status, ...(j.redundant && { redundant: true }) }),
    };
  });
  const summary = summarize(s.sweepId, s.expected, reports, timedOut);
  const repairsDone = s.repairsExpected !== undefined && s.repairsExpected.every((k) => repairsByKey.has(k));
  const redundant = new Set([...judgements.values()].flatMap((j) => j.analyzedBy.slice(1)));
  const spend = s.scope?.spend && spendView(s.scope.spend, carriersOf(facts).filter((c) => redundant.has(c.arn)), [...new Set(s.expected.map((k) => k.slice(13)))]);
  return {
    ...summary,
    complete: summary.complete && repairsDone,
    ...(spend && {
      spend: {
        status: spend.status,
        ...(spend.reason && { reason: spend.reason }),
        period: spend.period,
        ...(spend.currency && { currency: spend.currency }),
        total: spend.total,
        redundantTotal: spend.redundant.total,
        redundantAccountRegions: spend.redundant.accountRegions.length,
      },
    }),
  };
}
