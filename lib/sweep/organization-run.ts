/**
 * A whole sweep in one process (the CLI, the demo, benchmarks), as the deployed sweep runs it across Lambda
 * invocations. everySource: every account-region is read, decided and repaired where it stands. coverage: every
 * account-region is surveyed first (read and decided, nothing written), the management account's always (it owns the
 * organization's trails and event data stores); then the plan chooses the carriers to repair, organization-wide; then
 * those carriers alone are repaired (and, opt-in, redundant ones turned off), sharing one write cap; and coverage is
 * judged on the state the writes left, so an organization whose drift is all repairable is compliant after one run.
 */
import type { DiscoveredTargets } from '../aws/organization';
import type { CoveragePlan } from '../domain/coverage-plan';
import type { Ledger } from '../ledger/ledger';
import { localBudget } from '../aws/apply';
import type { InsightsSpend } from '../aws/cost-explorer';
import { carriersOf, mergeRepairs, planRun, planTargets, spendView, withCoverage, withCoverageRoles, type RunScope, type SpendView } from '../pipeline/coverage';
import { disableRedundant } from '../pipeline/disable-redundant';
import { destinationRegistry, type AccountRegionResult, type RemediateDeps, type RemediationResult, type Target } from '../pipeline/remediate';
import { rememberClocks, sweepOne } from './sweep';

export interface OrganizationRunDeps extends Omit<RemediateDeps, 'ouPath' | 'ledger' | 'apply' | 'concurrency'> {
  ledger?: Ledger;
  /** Account-regions in flight at once. Default 8. */
  concurrency?: number;
  onStart?: (total: number) => void;
  onAccountRegion?: (r: AccountRegionResult) => void;
  /** Last month's measured Insights spend (one Cost Explorer request), asked once the run is judged. */
  spend?: () => Promise<InsightsSpend>;
}

export interface OrganizationRun extends RemediationResult {
  scope: RunScope;
  /** The coverage objective's plan, as made from the survey. */
  plan?: CoveragePlan;
  spend?: SpendView;
}

export async function runOrganization(targets: DiscoveredTargets, deps: OrganizationRunDeps): Promise<OrganizationRun> {
  const { policy } = deps;
  const budget = deps.budget ?? localBudget(policy.limits.maxWritesPerSweep);
  const scope: RunScope = { judged: targets.accounts.flatMap((a) => targets.regions.map((region) => ({ accountId: a.id, region }))), organizationAccounts: targets.organizationAccounts };
  const coverage = policy.objective === 'coverage';
  const accounts = coverage && !targets.accounts.some((a) => a.id === targets.managementAccountId) ? [...targets.accounts, { id: targets.managementAccountId, name: targets.managementAccountId, ...(targets.managementAccountOuPath && { ouPath: targets.managementAccountOuPath }) }] : targets.accounts;
  const ouPaths = new Map(accounts.map((a) => [a.id, 'ouPath' in a ? a.ouPath : undefined]));
  const queue = accounts.flatMap((a) => targets.regions.map((region) => ({ accountId: a.id, region, ouPath: ouPaths.get(a.id) })));
  deps.onStart?.(queue.length);
  // One registry of created Insights destinations for the run: an account's regions plan and make one between them.
  const run = { ...deps, budget, concurrency: 1, ledger: deps.ledger, destinations: destinationRegistry() };
  let results = await inParallel(queue, deps.concurrency ?? 8, async (where) => {
    const { result } = await sweepOne(where, { ...run, apply: !coverage });
    deps.onAccountRegion?.(result);
    return result;
  });

  let plan: CoveragePlan | undefined;
  const now = deps.now();
  if (coverage) {
    plan = planRun(policy, scope, results, now);
    results = withCoverageRoles(policy, results, plan);
    const { repair, disable } = planTargets(plan, results);
    if (policy.mode === 'report') results = plannedOnly(results, repair);
    else {
      const repaired = await inParallel(groupByAccountRegion(repair), deps.concurrency ?? 8, async (g) => (await sweepOne({ ...g, ouPath: ouPaths.get(g.accountId) }, run)).result);
      results = mergeRepairs(results, repaired);
      const keptBy = new Map(plan.disable.map((d) => [d.arn, d.keptBy]));
      const ledger = deps.ledger;
      const turnedOff = await disableRedundant(disable, keptBy, { ...run, budget, ledger: ledger && { clockFacts: async (arn) => (await ledger.get(arn))?.clock } });
      if (ledger) for (const r of turnedOff) await rememberClocks(ledger, r, deps.now());
      results = mergeRepairs(results, turnedOff);
    }
  }
  results = withCoverage(policy, scope, results, deps.now(), plan);
  results.sort((a, b) => `${a.accountId}/${a.region}`.localeCompare(`${b.accountId}/${b.region}`));
  const redundant = new Set(results.flatMap((r) => r.coverage?.analyzedBy.slice(1) ?? []));
  const spend = deps.spend && spendView(await deps.spend(), carriersOf(results).filter((c) => redundant.has(c.arn)), targets.regions);
  return {
    mode: policy.mode,
    results,
    writesApplied: results.reduce((n, r) => n + r.outcomes.filter((o) => o.status === 'applied').length, 0),
    writeBudgetLeft: budget.left() ?? 0,
    scope,
    ...(plan && { plan }),
    ...(spend && { spend }),
  };
}

/** Report mode: the chosen carriers' calls, as they would be made, without the second read a repair makes. */
function plannedOnly(results: readonly AccountRegionResult[], repair: readonly Target[]): AccountRegionResult[] {
  const chosen = new Set(repair.map((t) => (t.kind === 'source' ? t.arn : '')));
  return results.map((r) => ({ ...r, outcomes: r.decisions.filter((d) => chosen.has(d.source.arn)).flatMap((d) => d.actions.map((action) => ({ action, status: 'planned' as const }))) }));
}

function groupByAccountRegion(targets: readonly Target[]): { accountId: string; region: string; only: string[] }[] {
  const groups = new Map<string, { accountId: string; region: string; only: string[] }>();
  for (const t of targets) {
    if (t.kind !== 'source') continue;
    const key = `${t.accountId}/${t.region}`;
    const g = groups.get(key) ?? { accountId: t.accountId, region: t.region, only: [] };
    g.only.push(t.arn);
    groups.set(key, g);
  }
  return [...groups.values()];
}

async function inParallel<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const queue = [...items];
  const out: R[] = [];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) out.push(await work(next));
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
  return out;
}

