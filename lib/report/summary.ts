/**
 * What a sweep found, account-region by account-region, and the summary once every account-region has reported or
 * the sweep has timed out: counts (compliant, repaired, pending first delivery with the latest expected time, exempt,
 * not remediable, unreachable), the top problems, and the account-regions that never reported. Pure.
 */
import type { Carrier } from '../domain/carriers';
import type { CoverageStatus } from '../domain/coverage-plan';
import type { FindingStatus } from '../domain/decide';
import type { AccountRegionResult } from '../pipeline/remediate';
import type { CoverageFacts } from '../pipeline/coverage';

/** One source's finding in short: enough to count it again once the coverage plan says whether it is needed. */
export interface ReportedSource {
  arn: string;
  status: FindingStatus;
  problems: string[];
  /** Not remediable: what a person must do. */
  remedy?: string;
  /** Its first-delivery window, after this run's writes, while pending. */
  pendingUntil?: string;
  /** This run wrote it and it converged. */
  repaired?: boolean;
  writes?: number;
}

/** What a coverage sweep's plan and final judgement need of an account-region (lib/sweep/coverage-sweep.ts). */
export interface SurveyFacts {
  sources: ReportedSource[];
  carriers: Carrier[];
  shadows: CoverageFacts['shadows'];
}

/** One account-region's compact result, as the sweep store keeps it. */
export interface AccountRegionReport {
  key: string;
  status: AccountRegionResult['status'];
  error?: string;
  counts: Record<string, number>;
  repaired: number;
  writes: number;
  latestPending?: string;
  problems: Record<string, number>;
  needsPerson: string[];
  /** Messages Slack did not take for this account-region's sources (kept in the ledger for the digest). */
  undelivered?: number;
  /** Its coverage, once judged organization-wide (absent when the policy does not require it). */
  coverage?: CoverageStatus;
  /** Analyzed by more than one carrier: billed more than once. */
  redundant?: boolean;
  /** A coverage sweep's survey (or repair): the facts its plan and final judgement are made from. */
  survey?: SurveyFacts;
  at: string;
}

/** Each source of the result in short, after the run's writes. */
export function reportedSources(r: AccountRegionResult): ReportedSource[] {
  const applied = r.outcomes.filter((o) => o.status === 'applied');
  const converged = new Set(r.verified.filter((v) => v.converged).map((v) => v.arn));
  return r.decisions.map((d) => {
    const writes = applied.filter((o) => o.action.sourceArn === d.source.arn).length;
    const clock = writes ? (r.verified.find((v) => v.arn === d.source.arn)?.clock ?? d.projectedClock) : d.clock;
    const remedy = d.finding.status === 'not-remediable' ? (d.finding.blockers.find((b) => !b.transient)?.remedy ?? d.finding.summary) : undefined;
    return {
      arn: d.source.arn,
      status: d.finding.status,
      problems: d.finding.reasons.map((x) => x.code),
      ...(remedy && { remedy }),
      ...(clock.status === 'pending-first-delivery' && clock.windowEnd && { pendingUntil: clock.windowEnd }),
      ...(writes && { writes, repaired: converged.has(d.source.arn) }),
    };
  });
}

/** Counts, problems, repairs and what needs a person, from the sources in short. */
export function tally(sources: readonly ReportedSource[]): Pick<AccountRegionReport, 'counts' | 'repaired' | 'writes' | 'latestPending' | 'problems' | 'needsPerson'> {
  const counts: Record<string, number> = {};
  const problems: Record<string, number> = {};
  for (const s of sources) {
    counts[s.status] = (counts[s.status] ?? 0) + 1;
    if (s.status !== 'not-needed') for (const code of s.problems) problems[code] = (problems[code] ?? 0) + 1;
  }
  const pending = sources.map((s) => s.pendingUntil).filter((p): p is string => p !== undefined).sort();
  return {
    counts,
    repaired: sources.filter((s) => (s.writes ?? 0) > 0).length,
    writes: sources.reduce((n, s) => n + (s.writes ?? 0), 0),
    ...(pending.length && { latestPending: pending.at(-1)! }),
    problems,
    needsPerson: sources.filter((s) => s.status === 'not-remediable').map((s) => `${s.arn}: ${s.remedy}`),
  };
}

export function reportOf(r: AccountRegionResult, at: Date, options: { survey?: boolean } = {}): AccountRegionReport {
  const sources = reportedSources(r);
  const t = tally(sources);
  return {
    key: `${r.accountId}/${r.region}`,
    status: r.status,
    ...(r.error && { error: `${r.error.name}: ${r.error.message}` }),
    ...t,
    needsPerson: [...t.needsPerson, ...(r.coverage?.status === 'uncovered' && r.coverage.remedy ? [`${r.accountId} ${r.region} has no Insights: ${r.coverage.remedy}`] : [])],
    ...(r.coverage && { coverage: r.coverage.status, ...(r.coverage.redundant && { redundant: true }) }),
    ...(options.survey && { survey: { sources, carriers: r.carriers, shadows: r.shadows.filter((s) => s.kind === 'trail').map(({ kind, arn, name, ownerAccountId, homeRegion, organization, hasInsightSelectors, home }) => ({ kind, arn, name, ownerAccountId, homeRegion, organization, hasInsightSelectors, ...(home && { home }) })) } }),
    at: at.toISOString(),
  };
}

/** Account-regions by coverage status, and how many are analyzed more than once. */
export interface CoverageCounts {
  covered: number;
  pendingFirstDelivery: number;
  uncovered: number;
  exempt: number;
  unknown: number;
  redundant: number;
}

export interface SweepSummary {
  sweepId: string;
  complete: boolean;
  timedOut: boolean;
  expected: number;
  reported: number;
  compliant: number;
  repaired: number;
  pendingFirstDelivery: number;
  latestPending?: string;
  exempt: number;
  drifted: number;
  notRemediable: number;
  unreachable: string[];
  failed: string[];
  neverReported: string[];
  writes: number;
  /** Sources the coverage objective needs nothing of: another carrier analyzes their account-regions. */
  notNeeded: number;
  /** Present when coverage was judged. */
  coverage?: CoverageCounts;
  /** Last month's measured Insights spend, and what is billed where redundant carriers live (an upper bound). */
  spend?: { status: 'known' | 'unknown'; reason?: string; period: { start: string; end: string }; currency?: string; total: number; redundantTotal: number; redundantAccountRegions: number };
  topProblems: [string, number][];
  needsPerson: string[];
  /** Entries left out of each list by boundedSummary (a stored summary must fit one DynamoDB item). */
  omitted?: Partial<Record<ListField, number>>;
}

type ListField = 'unreachable' | 'failed' | 'neverReported' | 'needsPerson';

/** The summary with each list cut to `max` entries, what was cut counted in `omitted`. */
export function boundedSummary(s: SweepSummary, max: number): SweepSummary {
  const out: SweepSummary = { ...s };
  const omitted: Partial<Record<ListField, number>> = { ...s.omitted };
  for (const field of ['unreachable', 'failed', 'neverReported', 'needsPerson'] as const) {
    if (s[field].length <= max) continue;
    out[field] = s[field].slice(0, max);
    omitted[field] = (omitted[field] ?? 0) + s[field].length - max;
  }
  if (Object.keys(omitted).length) out.omitted = omitted;
  return out;
}

export function summarize(sweepId: string, expected: readonly string[], reports: readonly AccountRegionReport[], timedOut: boolean): SweepSummary {
  const byKey = new Map(reports.map((r) => [r.key, r]));
  const got = expected.map((k) => byKey.get(k)).filter((r): r is AccountRegionReport => r !== undefined);
  const sum = (f: (r: AccountRegionReport) => number) => got.reduce((n, r) => n + f(r), 0);
  const problems = new Map<string, number>();
  for (const r of got) for (const [code, n] of Object.entries(r.problems)) problems.set(code, (problems.get(code) ?? 0) + n);
  const latest = got.map((r) => r.latestPending).filter((x): x is string => x !== undefined).sort().at(-1);
  const judged = got.filter((r) => r.coverage !== undefined);
  const arCount = (s: CoverageStatus) => judged.filter((r) => r.coverage === s).length;
  return {
    sweepId,
    complete: got.length === expected.length,
    timedOut,
    expected: expected.length,
    reported: got.length,
    compliant: sum((r) => r.counts.compliant ?? 0),
    repaired: sum((r) => r.repaired),
    pendingFirstDelivery: sum((r) => (r.counts['pending-first-delivery'] ?? 0) + r.repaired),
    ...(latest && { latestPending: latest }),
    exempt: sum((r) => r.counts.exempt ?? 0),
    drifted: sum((r) => r.counts.drifted ?? 0) - sum((r) => r.repaired),
    notRemediable: sum((r) => r.counts['not-remediable'] ?? 0),
    unreachable: got.filter((r) => r.status === 'unreachable').map((r) => r.key),
    failed: got.filter((r) => r.status === 'failed').map((r) => r.key),
    neverReported: expected.filter((k) => !byKey.has(k)),
    writes: sum((r) => r.writes),
    notNeeded: sum((r) => r.counts['not-needed'] ?? 0),
    ...(judged.length > 0 && {
      coverage: {
        covered: arCount('covered'),
        pendingFirstDelivery: arCount('pending-first-delivery'),
        uncovered: arCount('uncovered'),
        exempt: arCount('exempt'),
        unknown: arCount('unknown'),
        redundant: judged.filter((r) => r.redundant).length,
      },
    }),
    topProblems: [...problems].sort((a, b) => b[1] - a[1]).slice(0, 5),
    needsPerson: got.flatMap((r) => r.needsPerson),
  };
}
