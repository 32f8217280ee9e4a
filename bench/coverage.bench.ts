// Both objectives side by side on the organization shape coverage is for: 1,000 accounts x 4 regions, a multi-Region
// organization trail with Insights off, and in every member account its own multi-Region trail, a third of them with
// Insights on (and billed last month in the simulated Cost Explorer). Each objective sweeps a fresh copy in enforce
// mode (lib/sweep/organization-run.ts, as the CLI runs it) and is measured on what it leaves: writes made, sources
// billed for Insights, trails billed as a second copy of management events (and how many the run added), redundant
// sources, and the spend the report shows. Prints a table; writes bench/results/coverage.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { AwsClients } from '../lib/aws/clients';
import { costExplorerClient, lastMonthInsightsSpend } from '../lib/aws/cost-explorer';
import { discoverTargets, organizationsClient } from '../lib/aws/organization';
import { InMemoryLedger } from '../lib/ledger/ledger';
import { validatePolicy } from '../lib/policy/load';
import { runOrganization } from '../lib/sweep/organization-run';
import { Simulator } from '../sim/server';
import type { WorldInput } from '../sim/world';
import { accountId, generateCarrierWorld } from './generate-world';

const ACCOUNTS = Number(process.env.COVERAGE_ACCOUNTS ?? 1000);
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2'];
const BILLING_CODE: Record<string, string> = { 'us-east-1': 'USE1', 'eu-west-1': 'EU', 'ap-southeast-2': 'APS2', 'us-west-2': 'USW2' };
const BOTH = [{ InsightType: 'ApiCallRateInsight' as const }, { InsightType: 'ApiErrorRateInsight' as const }];

function world(now: Date): WorldInput {
  const base = generateCarrierWorld(ACCOUNTS, REGIONS);
  const analyzing = (account: string) => Number(account.slice(-4)) % 3 === 1;
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  // What last month's bill holds: the account trails with Insights on, per region analyzed (made-up amounts).
  const items = base.organization.accounts
    .map((a) => a.id)
    .filter(analyzing)
    .flatMap((account, i) => REGIONS.map((region, r) => ({ account, region, usageType: `${BILLING_CODE[region]}-InsightsEvents`, amount: Math.round((1.2 + ((i + r) % 5) * 0.35) * 100) / 100 })));
  return {
    ...base,
    trails: base.trails!.map((t) => (t.name === 'account-trail' && analyzing(t.account) ? { ...t, insightSelectors: BOTH } : t)),
    costs: { months: { [month]: items } },
  } as WorldInput;
}

interface Figures {
  objective: 'coverage' | 'everySource';
  writes: number;
  sourcesBilledForInsights: number;
  secondManagementCopies: number;
  managementCopiesAdded: number;
  redundantSources: number;
  accountRegionsAnalyzedTwice: number;
  uncoveredAccountRegions: number;
  spend: { status: string; total: number; redundantUpTo: number; currency?: string };
  seconds: number;
}

async function measure(objective: 'coverage' | 'everySource'): Promise<Figures> {
  const now = new Date();
  const w = world(now);
  const sim = await Simulator.start({ world: w, throttling: { enabled: false }, transitionMs: 0 });
  const started = performance.now();
  try {
    const MGMT = accountId(0);
    const policy = validatePolicy({ version: 1, mode: 'enforce', objective, scope: { regions: { include: REGIONS } }, limits: { maxWritesPerSweep: 100_000 } }, 'bench policy');
    const aws = new AwsClients({ managementAccountId: MGMT, memberRoleName: 'InsightsRemediatorRole', endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 10_000, writesPerSecond: 10_000 } });
    const targets = await discoverTargets(organizationsClient(aws), policy);
    const costs = costExplorerClient(aws.config);
    const run = await runOrganization(targets, { policy, aws, managementAccountId: MGMT, now: () => sim.clock.now(), ledger: new InMemoryLedger(), concurrency: 16, spend: () => lastMonthInsightsSpend(costs, sim.clock.now(), { regions: REGIONS }) });
    const after = sim.dumpWorld();
    const logsManagement = (t: { eventSelectors?: { IncludeManagementEvents?: boolean }[]; advancedEventSelectors?: unknown[] }) => !t.eventSelectors || t.eventSelectors.some((s) => s.IncludeManagementEvents !== false);
    // Copies of management events per account-region beyond the first: the organization trail logs every account's.
    const copies = new Map<string, number>();
    for (const t of after.trails ?? []) {
      if (!logsManagement(t)) continue;
      const accounts = t.organization ? targets.organizationAccounts : [t.account];
      for (const a of accounts) for (const r of t.multiRegion ? REGIONS : [t.homeRegion]) copies.set(`${a}/${r}`, (copies.get(`${a}/${r}`) ?? 0) + 1);
    }
    const judged = run.results.filter((r) => r.coverage);
    return {
      objective,
      writes: run.writesApplied,
      sourcesBilledForInsights: [...(after.trails ?? []), ...(after.eventDataStores ?? [])].filter((s) => (s.insightSelectors?.length ?? 0) > 0).length,
      secondManagementCopies: [...copies.values()].reduce((n, c) => n + Math.max(0, c - 1), 0),
      managementCopiesAdded: run.plan?.cost.managementCopiesAdded ?? 0,
      redundantSources: new Set(judged.flatMap((r) => r.coverage!.analyzedBy.slice(1))).size,
      accountRegionsAnalyzedTwice: judged.filter((r) => r.coverage!.redundant).length,
      uncoveredAccountRegions: judged.filter((r) => r.coverage!.status === 'uncovered').length,
      spend: { status: run.spend?.status ?? 'not asked', total: run.spend?.total ?? 0, redundantUpTo: run.spend?.redundant.total ?? 0, ...(run.spend?.currency && { currency: run.spend.currency }) },
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    await sim.stop();
  }
}

const results = [await measure('coverage'), await measure('everySource')];
const rows: [string, (f: Figures) => string | number][] = [
  ['CloudTrail writes', (f) => f.writes],
  ['sources billed for Insights after the run', (f) => f.sourcesBilledForInsights],
  ['trails billed as a second copy of management events', (f) => f.secondManagementCopies],
  ['  of which the run added', (f) => f.managementCopiesAdded],
  ['redundant sources (analyzing what another analyzes)', (f) => f.redundantSources],
  ['account-regions analyzed more than once', (f) => f.accountRegionsAnalyzedTwice],
  ['account-regions left uncovered', (f) => f.uncoveredAccountRegions],
  ['Insights spend last month (simulated Cost Explorer)', (f) => `${f.spend.currency ?? ''} ${f.spend.total.toFixed(2)} (${f.spend.status})`],
  ['  billed where redundant carriers live, up to', (f) => `${f.spend.currency ?? ''} ${f.spend.redundantUpTo.toFixed(2)}`],
  ['sweep wall time (s, no added latency)', (f) => f.seconds],
];
console.log(`coverage vs everySource: ${ACCOUNTS} accounts x ${REGIONS.length} regions; organization trail with Insights off; every member's own multi-Region trail, a third with Insights on`);
console.log(`${''.padEnd(54)} ${'coverage'.padStart(16)} ${'everySource'.padStart(16)}`);
for (const [label, f] of rows) console.log(`${label.padEnd(54)} ${String(f(results[0]!)).padStart(16)} ${String(f(results[1]!)).padStart(16)}`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/coverage.json', `${JSON.stringify({ accounts: ACCOUNTS, regions: REGIONS.length, results }, null, 2)}\n`);
