/**
 * Coverage of a whole run, organization-wide: from the account-region results of a survey (or of a run that already
 * wrote), the account-regions judged and their carriers; the coverage objective's plan (which carriers to repair,
 * which redundant ones to turn off) and the source targets that carry it out; the decisions of sources that are not
 * needed for coverage, said so; the repair results merged back; and the final judgement attached to each
 * account-region. Pure: the CLI and the deployed sweep run the same steps, with their own I/O in between.
 */
import { accountRegionKey, type Carrier } from '../domain/carriers';
import { judgeCoverage, planCoverage, type CoverageJudgement, type CoveragePlan, type JudgedAccountRegion } from '../domain/coverage-plan';
import type { Decision } from '../domain/decide';
import type { ShadowCopy } from '../aws/read';
import { accountRegionExemption } from '../domain/scope';
import type { Policy } from '../policy/schema';
import type { AccountRegionResult, Target } from './remediate';

/** What coverage is judged from, per account-region: whether it was read, its carriers, the trail copies it saw. */
export type CoverageFacts = Pick<AccountRegionResult, 'accountId' | 'region' | 'status' | 'carriers'> & {
  shadows: readonly Pick<ShadowCopy, 'kind' | 'arn' | 'name' | 'ownerAccountId' | 'homeRegion' | 'organization' | 'hasInsightSelectors' | 'home'>[];
};

/** Whether uncovered account-regions are drift: always under the coverage objective, by choice under everySource. */
export const coverageRequired = (policy: Policy): boolean => policy.objective === 'coverage' || policy.coverage.requireInsightsInEveryAccountRegion;

/** A sweep of part of the organization: what an event removed coverage from (lib/pipeline/handle-event.ts). */
export interface SweepTargets {
  /** Account ids, or every account of the organization. */
  accounts: readonly string[] | 'organization';
  /** Regions; absent: every region of the policy. */
  regions?: readonly string[];
}

export interface RunScope {
  /** Account-regions the run judges: in-scope ACTIVE accounts x the policy's regions. */
  judged: readonly { accountId: string; region: string }[];
  /** Every ACTIVE account of the organization (what organization carriers cover). */
  organizationAccounts: readonly string[];
}

/** The judged account-regions with their exemptions, and whether their own sources could be read. */
export function judgedAccountRegions(policy: Policy, scope: RunScope, results: readonly CoverageFacts[], now: Date): JudgedAccountRegion[] {
  const status = new Map(results.map((r) => [accountRegionKey(r), r.status]));
  return scope.judged.map((ar) => {
    const exempt = accountRegionExemption(policy, ar, now);
    const s = status.get(accountRegionKey(ar));
    return { accountId: ar.accountId, region: ar.region, ...(exempt && { exempt }), ...(s !== 'done' && { unreadable: true }) };
  });
}

/**
 * Every carrier the results saw, once. A trail whose home copy the run did not sweep (homed in a region outside the
 * policy) counts from its home as its owner read it by ARN (logging, Insights on management events), else from what
 * DescribeTrails says of its copies (`com.amazonaws.cloudtrail#Trail$HasInsightSelectors`); never written.
 */
export function carriersOf(results: readonly CoverageFacts[]): Carrier[] {
  const byArn = new Map<string, Carrier>();
  for (const r of results) for (const c of r.carriers) byArn.set(c.arn, c);
  const read = new Set(results.filter((r) => r.status === 'done').map((r) => accountRegionKey(r)));
  // The copy whose home trail was read (by its owner, once per run) speaks for every copy of the trail.
  const homes = new Map(results.flatMap((r) => r.shadows.filter((s) => s.home !== undefined).map((s) => [s.arn, s.home!] as const)));
  for (const r of results)
    for (const s of r.shadows)
      if (s.kind === 'trail' && !byArn.has(s.arn) && !read.has(accountRegionKey({ accountId: s.ownerAccountId, region: s.homeRegion }))) byArn.set(s.arn, shadowCarrier({ ...s, home: s.home ?? homes.get(s.arn) }, r.region));
  return [...byArn.values()];
}

function shadowCarrier(s: CoverageFacts['shadows'][number], seenIn: string): Carrier {
  const multiRegion = seenIn !== s.homeRegion;
  // Read at home: logging and Insights on management events. Unread: HasInsightSelectors is all there is.
  const analyzing = s.hasInsightSelectors && (s.home === undefined || (s.home.isLogging && s.home.analyzesManagement));
  const why = !s.hasInsightSelectors ? 'without Insights' : !s.home?.isLogging ? 'not logging' : 'without Insights on management events';
  return {
    arn: s.arn,
    kind: 'trail',
    name: s.name,
    accountId: s.ownerAccountId,
    homeRegion: s.homeRegion,
    multiRegion,
    organization: s.organization,
    carrierKind: s.organization ? 'organizationTrail' : multiRegion ? 'multiRegionTrail' : 'regionalTrail',
    analyzing,
    billed: s.hasInsightSelectors,
    writable: false,
    pinned: false,
    ...(!analyzing && { blocked: `trail ${s.name}: homed in ${s.homeRegion}, outside the sweep, ${why}` }),
  };
}

export function planRun(policy: Policy, scope: RunScope, results: readonly CoverageFacts[], now: Date): CoveragePlan {
  return planCoverage({ policy, accountRegions: judgedAccountRegions(policy, scope, results, now), organizationAccounts: scope.organizationAccounts, carriers: carriersOf(results) });
}

/** The writes the plan needs, as source targets in the carriers' home account-regions: repairs, then disablings. */
export function planTargets(plan: CoveragePlan, results: readonly CoverageFacts[]): { repair: Target[]; disable: Target[] } {
  const carriers = new Map(carriersOf(results).map((c) => [c.arn, c]));
  const target = (arn: string): Target => {
    const c = carriers.get(arn)!;
    return { kind: 'source', accountId: c.accountId, region: c.homeRegion, arn };
  };
  return { repair: plan.repairs.map((r) => target(r.arn)), disable: plan.disable.map((d) => target(d.arn)) };
}

/**
 * Under the coverage objective, a source the plan does not repair needs nothing: its drift is no drift, and its planned
 * calls are not made. Its decision says what analyzes its account-regions instead (or that the account-region's own
 * finding says what is missing).
 */
export function withCoverageRoles(policy: Policy, results: readonly AccountRegionResult[], plan: CoveragePlan): AccountRegionResult[] {
  if (policy.objective !== 'coverage') return [...results];
  const chosen = new Set([...plan.repairs.map((r) => r.arn), ...plan.disable.map((d) => d.arn)]);
  const byKey = new Map(plan.judgements.map((j) => [accountRegionKey(j), j]));
  const names = new Map(carriersOf(results).map((c) => [c.arn, c.name]));
  return results.map((r) => ({
    ...r,
    decisions: r.decisions.map((d) => {
      if (chosen.has(d.source.arn) || (d.finding.status !== 'drifted' && d.finding.status !== 'not-remediable')) return d;
      const j = byKey.get(accountRegionKey({ accountId: d.source.accountId, region: d.source.homeRegion }));
      const by = j?.analyzedBy.filter((a) => a !== d.source.arn).map((a) => names.get(a) ?? a) ?? [];
      const carrier = j?.carrier && j.carrier !== d.source.arn ? names.get(j.carrier) ?? j.carrier : undefined;
      const summary = by.length
        ? `not needed for coverage: ${d.source.accountId} ${d.source.homeRegion} is analyzed by ${by.join(', ')} (would be: ${d.finding.summary})`
        : carrier
          ? `not needed for coverage: ${carrier} is repaired to analyze ${d.source.accountId} ${d.source.homeRegion} (would be: ${d.finding.summary})`
          : `not needed for coverage (would be: ${d.finding.summary}); see the account-region's coverage`;
      return { ...d, actions: [], finding: { ...d.finding, status: 'not-needed', summary } } satisfies Decision;
    }),
  }));
}

/** The repair (and disabling) results folded into the survey's: their fresher decisions, writes, checks and clocks. */
export function mergeRepairs(results: readonly AccountRegionResult[], repairs: readonly AccountRegionResult[]): AccountRegionResult[] {
  const byKey = new Map(repairs.map((r) => [accountRegionKey(r), r]));
  return results.map((r) => {
    const x = byKey.get(accountRegionKey(r));
    if (!x) return r;
    const fresh = new Set(x.decisions.map((d) => d.source.arn));
    const freshCarriers = new Set(x.carriers.map((c) => c.arn));
    return {
      ...r,
      decisions: [...r.decisions.filter((d) => !fresh.has(d.source.arn)), ...x.decisions],
      outcomes: [...r.outcomes, ...x.outcomes],
      verified: [...r.verified, ...x.verified],
      clockUpdates: [...r.clockUpdates.filter((u) => !x.clockUpdates.some((y) => y.arn === u.arn)), ...x.clockUpdates],
      carriers: [...r.carriers.filter((c) => !freshCarriers.has(c.arn)), ...x.carriers],
      // A repair that could not even read its source leaves the survey's view, and says why.
      ...(x.status !== 'done' && { error: x.error }),
    };
  });
}

/** Each judged account-region's coverage, as the facts (after the run's writes) leave it; what the plan said is kept for what is still uncovered. */
export function finalJudgements(policy: Policy, scope: RunScope, facts: readonly CoverageFacts[], now: Date, plan?: CoveragePlan): Map<string, CoverageJudgement> {
  const judgements = judgeCoverage({ policy, accountRegions: judgedAccountRegions(policy, scope, facts, now), organizationAccounts: scope.organizationAccounts, carriers: carriersOf(facts) });
  const planned = new Map(plan?.judgements.map((j) => [accountRegionKey(j), j]) ?? []);
  return new Map(
    judgements.map((j) => {
      const before = planned.get(accountRegionKey(j));
      // Still uncovered: keep what the plan said would cover it, or what blocks it.
      const kept = j.status === 'uncovered' && before ? { ...(before.carrier && { carrier: before.carrier }), ...(before.remedy && { remedy: before.remedy }) } : {};
      return [accountRegionKey(j), { ...j, ...kept }];
    }),
  );
}

/** Attaches each judged account-region's coverage, as the results (after their writes) leave it. */
export function withCoverage(policy: Policy, scope: RunScope, results: readonly AccountRegionResult[], now: Date, plan?: CoveragePlan): AccountRegionResult[] {
  if (!coverageRequired(policy)) return [...results];
  const byKey = finalJudgements(policy, scope, results, now, plan);
  return results.map((r) => {
    const j = byKey.get(accountRegionKey(r));
    return j ? { ...r, coverage: j } : r;
  });
}

/** Last month's measured Insights spend as a run shows it, with what is billed where redundant carriers live. */
export interface SpendView {
  status: 'known' | 'unknown';
  reason?: string;
  period: { start: string; end: string };
  currency?: string;
  total: number;
  byAccountRegion: { accountId: string; region: string; amount: number }[];
  /**
   * The spend of each account-region where a redundant carrier is billed (its owner, in the regions it analyzes), and
   * the carriers: an upper bound of what the redundant Insights cost, as Cost Explorer bills per account and region,
   * not per trail or store.
   */
  redundant: { total: number; accountRegions: { accountId: string; region: string; amount: number; carriers: string[] }[] };
}

export function spendView(spend: Omit<SpendView, 'redundant'>, redundantCarriers: readonly Carrier[], regions: readonly string[]): SpendView {
  const amount = new Map(spend.byAccountRegion.map((x) => [accountRegionKey(x), x.amount]));
  const where = new Map<string, { accountId: string; region: string; amount: number; carriers: string[] }>();
  for (const c of redundantCarriers)
    for (const region of c.multiRegion ? regions : [c.homeRegion]) {
      const key = accountRegionKey({ accountId: c.accountId, region });
      const entry = where.get(key) ?? { accountId: c.accountId, region, amount: amount.get(key) ?? 0, carriers: [] };
      entry.carriers.push(c.arn);
      where.set(key, entry);
    }
  const accountRegions = [...where.values()].filter((e) => e.amount > 0).sort((a, b) => b.amount - a.amount || accountRegionKey(a).localeCompare(accountRegionKey(b)));
  return { ...spend, redundant: { total: round(accountRegions.reduce((n, e) => n + e.amount, 0)), accountRegions } };
}

const round = (n: number) => Math.round(n * 100) / 100;
