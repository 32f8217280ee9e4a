/**
 * What a sweep found, account-region by account-region, and the summary once every account-region has reported or
 * the sweep has timed out: counts (compliant, repaired, pending first delivery with the latest expected time, exempt,
 * not remediable, unreachable), the top problems, and the account-regions that never reported. Pure.
 */
import type { AccountRegionResult } from '../pipeline/remediate';

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
  at: string;
}

export function reportOf(r: AccountRegionResult, at: Date): AccountRegionReport {
  const counts: Record<string, number> = {};
  const problems: Record<string, number> = {};
  for (const d of r.decisions) {
    counts[d.finding.status] = (counts[d.finding.status] ?? 0) + 1;
    for (const reason of d.finding.reasons) problems[reason.code] = (problems[reason.code] ?? 0) + 1;
  }
  const applied = r.outcomes.filter((o) => o.status === 'applied');
  const repairedArns = new Set(applied.map((o) => o.action.sourceArn));
  const pending = r.decisions
    .map((d) => (repairedArns.has(d.source.arn) ? d.projectedClock : d.clock))
    .filter((c) => c.status === 'pending-first-delivery' && c.windowEnd)
    .map((c) => c.windowEnd!)
    .sort();
  return {
    key: `${r.accountId}/${r.region}`,
    status: r.status,
    ...(r.error && { error: `${r.error.name}: ${r.error.message}` }),
    counts,
    repaired: repairedArns.size,
    writes: applied.length,
    ...(pending.length && { latestPending: pending.at(-1)! }),
    problems,
    needsPerson: r.decisions.filter((d) => d.finding.status === 'not-remediable').map((d) => `${d.source.arn}: ${d.finding.blockers.find((b) => !b.transient)?.remedy ?? d.finding.summary}`),
    at: at.toISOString(),
  };
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
    topProblems: [...problems].sort((a, b) => b[1] - a[1]).slice(0, 5),
    needsPerson: got.flatMap((r) => r.needsPerson),
  };
}
