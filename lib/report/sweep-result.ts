/**
 * The stored result of a sweep run from the command line (`insights-remediator sweep --output result.json`), the
 * input of `insights-remediator report`: per account-region its status and, per source, the finding, the Insights
 * clock before and after, and each planned or applied call with its outcome; plus the organization swept and the
 * sweep summary (lib/report/summary.ts). Also what the run's exit code is: drift left or not. Pure. Documented in
 * docs/cli.md. Reading a stored file back (and refusing a bad one) is lib/report/sweep-result-file.ts: the sweep worker
 * builds stored results for Security Hub and must not bundle the full zod that check uses.
 */
import type { Outcome } from '../aws/apply';
import type { Blocker, Decision, DriftReason, FindingStatus } from '../domain/decide';
import { insightsClock, type InsightsClock } from '../domain/insights-clock';
import type { SourceKind } from '../domain/model';
import type { CarrierRepair, CoverageCost, CoveragePlan, Disabling } from '../domain/coverage-plan';
import type { Objective } from '../policy/schema';
import type { SpendView } from '../pipeline/coverage';
import type { AccountRegionResult, RemediationResult } from '../pipeline/remediate';
import { reportOf, summarize, type SweepSummary } from './summary';

export const SWEEP_RESULT_FORMAT = 'insights-remediator/sweep-result';

export interface StoredAction {
  operation: string;
  input: unknown;
  why: string;
  outcome: Outcome['status'];
  /** Why it was skipped, or the error it failed with. */
  detail?: string;
}

export interface StoredSource {
  arn: string;
  kind: SourceKind;
  name: string;
  accountId: string;
  region: string;
  status: FindingStatus;
  summary: string;
  reasons: DriftReason[];
  blockers: Blocker[];
  exemption?: { reason: string; expiresAt: string };
  clockBefore: InsightsClock;
  /** After this run's writes (the same as before when nothing was written). */
  clockAfter: InsightsClock;
  /** Report mode: the clock if the planned calls were made now. */
  clockIfRepaired?: InsightsClock;
  actions: StoredAction[];
  /** Every planned call was made and the source, read again, needs nothing more. */
  repaired: boolean;
  /** Drift remains after the run: report mode, a person must act, or a call was skipped or failed. */
  driftLeft: boolean;
}

export interface StoredAccountRegion {
  accountId: string;
  accountName?: string;
  region: string;
  status: AccountRegionResult['status'];
  error?: { class: string; name: string; message: string };
  coverage?: AccountRegionResult['coverage'];
  sources: StoredSource[];
  notSelected: { kind: SourceKind; arn: string; name: string; reason: string }[];
  /** Organization and multi-region copies seen here, evaluated where they live. */
  shadows: { kind: SourceKind; arn: string; name: string; ownerAccountId: string; homeRegion: string }[];
}

/** What the coverage objective's plan chose, and what it costs (lib/domain/coverage-plan.ts). */
export interface StoredCoveragePlan {
  repairs: CarrierRepair[];
  disable: Disabling[];
  cost: CoverageCost;
  /** Carriers analyzing some account-region another, preferred carrier also analyzes (each billed). */
  redundantCarriers: string[];
}

export interface StoredSweepResult {
  format: typeof SWEEP_RESULT_FORMAT;
  version: 1;
  sweepId: string;
  mode: 'enforce' | 'report';
  /** Absent in results stored before objectives existed: everySource. */
  objective?: Objective;
  coveragePlan?: StoredCoveragePlan;
  /** Last month's measured Insights spend, from Cost Explorer; absent when not asked. */
  spend?: SpendView;
  startedAt: string;
  finishedAt: string;
  /** The endpoint swept: "aws", or the simulator's URL. */
  endpoint: string;
  organization: { managementAccountId: string; accounts: StoredAccount[]; skipped: { id: string; reason: string }[]; regions: string[] };
  writesApplied: number;
  writeBudgetLeft: number;
  summary: SweepSummary;
  accountRegions: StoredAccountRegion[];
}

/** An account swept, and the organizational unit it sits in when discovery read it (the report groups by it). */
export interface StoredAccount {
  id: string;
  name: string;
  /** The account's parent OU (or the root); absent when discovery did not read OU paths. */
  ou?: { id: string; name?: string };
}

export interface SweepRunFacts {
  sweepId: string;
  startedAt: Date;
  finishedAt: Date;
  endpoint: string;
  managementAccountId: string;
  accounts: StoredAccount[];
  skipped: { id: string; reason: string }[];
  regions: string[];
  objective: Objective;
}

export function storedSweepResult(run: SweepRunFacts, result: RemediationResult & { plan?: CoveragePlan; spend?: SpendView }): StoredSweepResult {
  const names = new Map(run.accounts.map((a) => [a.id, a.name]));
  const expected = run.accounts.flatMap((a) => run.regions.map((r) => `${a.id}/${r}`));
  const summary = summarize(run.sweepId, expected, result.results.map((r) => reportOf(r, run.finishedAt)), false);
  return {
    format: SWEEP_RESULT_FORMAT,
    version: 1,
    sweepId: run.sweepId,
    mode: result.mode,
    objective: run.objective,
    ...(result.spend && { spend: result.spend }),
    ...(result.plan && {
      coveragePlan: { repairs: result.plan.repairs, disable: result.plan.disable, cost: result.plan.cost, redundantCarriers: redundantAfter(result.results) },
    }),
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    endpoint: run.endpoint,
    organization: { managementAccountId: run.managementAccountId, accounts: run.accounts, skipped: run.skipped, regions: run.regions },
    writesApplied: result.writesApplied,
    writeBudgetLeft: result.writeBudgetLeft,
    summary,
    accountRegions: result.results.map((r) => storedAccountRegion(r, names.get(r.accountId), result.mode, run.finishedAt)),
  };
}

/** Carriers analyzing an account-region another, preferred carrier also analyzes, as the run left them. */
function redundantAfter(results: readonly AccountRegionResult[]): string[] {
  return [...new Set(results.flatMap((r) => r.coverage?.analyzedBy.slice(1) ?? []))].sort();
}

export function storedAccountRegion(r: AccountRegionResult, accountName: string | undefined, mode: 'enforce' | 'report', now: Date): StoredAccountRegion {
  return {
    accountId: r.accountId,
    ...(accountName && { accountName }),
    region: r.region,
    status: r.status,
    ...(r.error && { error: { class: r.error.class, name: r.error.name, message: r.error.message } }),
    ...(r.coverage && { coverage: r.coverage }),
    sources: r.decisions.map((d) => storedSource(d, r, mode, now)),
    notSelected: r.notSelected.map(({ kind, arn, name, reason }) => ({ kind, arn, name, reason })),
    shadows: r.shadows.map(({ kind, arn, name, ownerAccountId, homeRegion }) => ({ kind, arn, name, ownerAccountId, homeRegion })),
  };
}

function storedSource(d: Decision, r: AccountRegionResult, mode: 'enforce' | 'report', now: Date): StoredSource {
  const outcomes = r.outcomes.filter((o) => o.action.sourceArn === d.source.arn);
  const update = r.clockUpdates.find((u) => u.arn === d.source.arn);
  const verified = r.verified.find((v) => v.arn === d.source.arn);
  const allApplied = outcomes.length > 0 && outcomes.every((o) => o.status === 'applied');
  const repaired = allApplied && verified?.converged === true;
  const needsWork = d.finding.status === 'drifted' || d.finding.status === 'not-remediable';
  return {
    arn: d.source.arn,
    kind: d.source.kind,
    name: d.source.name,
    accountId: d.source.accountId,
    region: d.source.homeRegion,
    status: d.finding.status,
    summary: d.finding.summary,
    reasons: d.finding.reasons,
    blockers: d.finding.blockers,
    ...(d.finding.exemption && { exemption: d.finding.exemption }),
    clockBefore: d.clock,
    clockAfter: update && outcomes.some((o) => o.status === 'applied') ? insightsClock(update.facts, now) : d.clock,
    ...(mode === 'report' && d.actions.length > 0 && { clockIfRepaired: d.projectedClock }),
    actions: outcomes.map(storedAction),
    repaired,
    driftLeft: needsWork && !(repaired && d.finding.status === 'drifted'),
  };
}

function storedAction(o: Outcome): StoredAction {
  const base = { operation: o.action.operation, input: o.action.input, why: o.action.why, outcome: o.status };
  if (o.status === 'skipped') return { ...base, detail: o.reason };
  if (o.status === 'failed') return { ...base, detail: `${o.error.name}: ${o.error.message}` };
  return base;
}

/**
 * What is left for a person or a later run: drifted sources, account-regions that were not swept, and account-regions
 * the policy wants covered where nothing has Insights on.
 */
export function driftLeft(result: StoredSweepResult): string[] {
  return result.accountRegions.flatMap((ar) => [
    ...(ar.status === 'done' ? [] : [`${ar.accountId} ${ar.region}: ${ar.status}${ar.error ? ` (${ar.error.name})` : ''}`]),
    ...(ar.coverage?.status === 'uncovered' ? [`${ar.accountId} ${ar.region}: no Insights in this account-region`] : []),
    ...ar.sources.filter((s) => s.driftLeft).map((s) => `${s.accountId} ${s.region} ${s.kind === 'trail' ? 'trail' : 'event data store'} ${s.name}: ${s.status}`),
  ]);
}

/** 0 compliant or repaired; 1 drift left (report mode, not remediable, a write skipped or failed, an account-region not swept or not covered). */
export const exitCodeOf = (result: StoredSweepResult): 0 | 1 => (driftLeft(result).length > 0 ? 1 : 0);
