// A stored sweep result of a large organization, generated without a sweep, for the report's benchmark and its
// Chromium test: N accounts x R regions in OUs of about 200 accounts, a coverage-objective enforce run in which an
// organization trail covers most account-regions, and per account-region a regional trail and a management-event
// store, in the mix of states a real organization shows (deterministic: a seeded generator). Every map status appears.
import type { InsightsClock } from '../lib/domain/insights-clock';
import { SWEEP_RESULT_FORMAT, type StoredAccountRegion, type StoredSource, type StoredSweepResult } from '../lib/report/sweep-result';
import { accountId } from './generate-world';

export interface ReportWorldOptions {
  accounts: number;
  regions: string[];
  /** Accounts per OU (default 200). */
  perOu?: number;
  /** Accounts the policy leaves out (their cells are out of scope); default 1% of the accounts. */
  skipped?: number;
  finishedAt?: string;
}

/** A small linear congruential generator: the same organization on every run. */
function random(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export type GeneratedState = 'covered' | 'pending' | 'drifted' | 'not-remediable' | 'exempt' | 'unreachable';
const FORCED: GeneratedState[] = ['unreachable', 'not-remediable', 'drifted', 'exempt', 'pending', 'covered'];

export function generateStoredResult(options: ReportWorldOptions): StoredSweepResult {
  const { accounts, regions } = options;
  const perOu = options.perOu ?? 200;
  const skippedCount = options.skipped ?? Math.floor(accounts / 100);
  const finishedAt = options.finishedAt ?? '2026-11-21T12:00:00.000Z';
  const now = Date.parse(finishedAt);
  const at = (ms: number) => new Date(ms).toISOString();
  const rnd = random(42);
  const management = accountId(0);
  const orgTrail = `arn:aws:cloudtrail:${regions[0]}:${management}:trail/org-trail`;
  const ouNames = ['Security', 'Infrastructure', 'Workloads-Prod', 'Workloads-Staging', 'Workloads-Dev', 'Sandbox', 'Data', 'Suspended-Review'];
  const ouOf = (i: number) => {
    const n = Math.floor(i / perOu);
    return { id: `ou-bnch-${String(n).padStart(8, '0')}`, name: `${ouNames[n % ouNames.length]}-${String(Math.floor(n / ouNames.length) + 1).padStart(2, '0')}` };
  };
  const ids = Array.from({ length: accounts }, (_, i) => accountId(i));
  const swept = ids.slice(0, accounts - skippedCount);
  const skipped = ids.slice(accounts - skippedCount).map((id) => ({ id, reason: `account ${id} is in ou-bnch-excluded, excluded by scope.organizationalUnits.exclude` }));

  const delivering: InsightsClock = { status: 'delivering', channels: [{ channel: 'ApiCallRateInsight:Management', status: 'delivering', basis: 'enabled' }] as InsightsClock['channels'] };
  const off: InsightsClock = { status: 'off', channels: [] };
  const pending = (hours: number): InsightsClock => ({
    status: 'pending-first-delivery',
    windowStart: finishedAt,
    windowEnd: at(now + hours * 3_600_000),
    channels: [{ channel: 'ApiCallRateInsight:Management', status: 'pending-first-delivery', basis: 'enabled', since: finishedAt, until: at(now + hours * 3_600_000) }] as InsightsClock['channels'],
  });
  const counts = { compliant: 0, repaired: 0, pending: 0, exempt: 0, drifted: 0, notRemediable: 0, notNeeded: 0 };
  const coverageCounts = { covered: 0, pendingFirstDelivery: 0, uncovered: 0, exempt: 0, unknown: 0, redundant: 0 };
  const unreachable: string[] = [];
  const needsPerson: string[] = [];

  const accountRegions: StoredAccountRegion[] = [];
  for (const [i, account] of swept.entries())
    for (const [r, region] of regions.entries()) {
      const roll = rnd();
      // The second account's first account-regions take each state in turn, so even a small organization has them all.
      const forced = i === 1 && r < FORCED.length ? FORCED[r] : i === 2 && regions.length + r < FORCED.length ? FORCED[regions.length + r] : undefined;
      const state: GeneratedState = forced ?? (roll < 0.003 ? 'unreachable' : roll < 0.008 ? 'not-remediable' : roll < 0.03 ? 'drifted' : roll < 0.04 ? 'exempt' : roll < 0.1 ? 'pending' : 'covered');
      const base = { accountId: account, accountName: `account-${i}`, region, notSelected: [], shadows: r === 0 ? [] : [{ kind: 'trail' as const, arn: orgTrail, name: 'org-trail', ownerAccountId: management, homeRegion: regions[0]! }] };
      if (state === 'unreachable') {
        unreachable.push(`${account}/${region}`);
        accountRegions.push({ ...base, status: 'unreachable', error: { class: 'accessDenied', name: 'AccessDenied', message: `User: arn:aws:sts::${management}:assumed-role/insights-remediator/sweep is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${account}:role/InsightsRemediatorRole` }, sources: [] });
        continue;
      }
      const trailArn = `arn:aws:cloudtrail:${region}:${account}:trail/regional-${region}`;
      const storeArn = `arn:aws:cloudtrail:${region}:${account}:eventdatastore/mgmt-${region}-${String(i).padStart(5, '0')}`;
      const trail = (over: Partial<StoredSource>): StoredSource => ({
        arn: trailArn, kind: 'trail', name: `regional-${region}`, accountId: account, region, status: 'not-needed',
        summary: `not needed for coverage: ${account} ${region} is analyzed by org-trail`, reasons: [], blockers: [], clockBefore: off, clockAfter: off, actions: [], repaired: false, driftLeft: false, ...over,
      });
      const store = (over: Partial<StoredSource>): StoredSource => ({
        arn: storeArn, kind: 'eventDataStore', name: `mgmt-${region}`, accountId: account, region, status: 'compliant',
        summary: 'Insights on (ApiCallRateInsight and ApiErrorRateInsight on Management), delivering to insights', reasons: [], blockers: [], clockBefore: delivering, clockAfter: delivering, actions: [], repaired: false, driftLeft: false, ...over,
      });
      let sources: StoredSource[];
      let coverage: StoredAccountRegion['coverage'];
      switch (state) {
        case 'covered':
          sources = [trail({}), store({})];
          coverage = { accountId: account, region, status: 'covered', analyzedBy: [orgTrail, storeArn], redundant: true, message: 'analyzed by org-trail' };
          counts.notNeeded++;
          counts.compliant++;
          coverageCounts.covered++;
          coverageCounts.redundant++;
          break;
        case 'pending': {
          const hours = 20 + Math.floor(rnd() * 16);
          const input = { TrailName: trailArn, InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiErrorRateInsight' }] };
          sources = [trail({ status: 'drifted', summary: 'Insights are off', reasons: [{ code: 'insightsOff', message: 'Insights are off' }] as StoredSource['reasons'], clockAfter: pending(hours), actions: [{ operation: 'PutInsightSelectors', input, why: 'turn Insights on (ApiCallRateInsight, ApiErrorRateInsight)', outcome: 'applied' }], repaired: true }), store({ status: 'not-needed', summary: 'not needed for coverage', clockBefore: off, clockAfter: off })];
          coverage = { accountId: account, region, redundant: false, status: 'pending-first-delivery', analyzedBy: [trailArn], pendingUntil: at(now + hours * 3_600_000), message: `analyzed by regional-${region}, first delivery expected by ${at(now + hours * 3_600_000)}` };
          counts.repaired++;
          counts.notNeeded++;
          coverageCounts.pendingFirstDelivery++;
          break;
        }
        case 'drifted': {
          sources = [trail({ status: 'drifted', summary: 'logging is stopped', reasons: [{ code: 'loggingStopped', message: 'logging is stopped' }] as StoredSource['reasons'], clockIfRepaired: pending(36), actions: [{ operation: 'StartLogging', input: { Name: trailArn }, why: 'logging is stopped: start it', outcome: 'skipped', detail: 'the sweep\'s write cap was reached' }], driftLeft: true }), store({ status: 'not-needed', summary: 'not needed for coverage', clockBefore: off, clockAfter: off })];
          coverage = { accountId: account, region, redundant: false, status: 'uncovered', analyzedBy: [], carrier: trailArn, message: 'no trail or event data store analyzes this account-region' };
          counts.drifted++;
          counts.notNeeded++;
          coverageCounts.uncovered++;
          break;
        }
        case 'not-remediable':
          sources = [trail({ status: 'not-remediable', summary: 'the Insights destination is missing', blockers: [{ code: 'destinationMissing', message: 'the Insights destination is missing', remedy: `create the Insights event data store for ${storeArn} or point it at an existing one`, transient: false }] as StoredSource['blockers'], driftLeft: true }), store({ status: 'not-remediable', summary: 'its Insights destination was deleted', blockers: [{ code: 'destinationMissing', message: 'its Insights destination was deleted', remedy: 'recreate the Insights destination store', transient: false }] as StoredSource['blockers'], clockBefore: off, clockAfter: off, driftLeft: true })];
          coverage = { accountId: account, region, redundant: false, status: 'uncovered', analyzedBy: [], message: 'nothing here can analyze it', remedy: 'recreate the Insights destination store' };
          counts.notRemediable += 2;
          coverageCounts.uncovered++;
          needsPerson.push(`${account} ${region}: recreate the Insights destination store`);
          break;
        case 'exempt':
          sources = [trail({ status: 'exempt', summary: 'exempt until 2027-03-01: legacy trails retire in CHG-1234' , exemption: { reason: 'legacy trails retire in CHG-1234', expiresAt: '2027-03-01' } }), store({ status: 'exempt', summary: 'exempt until 2027-03-01: legacy trails retire in CHG-1234', clockBefore: off, clockAfter: off })];
          coverage = { accountId: account, region, redundant: false, status: 'exempt', analyzedBy: [], message: 'every source here is exempt' };
          counts.exempt += 2;
          coverageCounts.exempt++;
          break;
      }
      accountRegions.push({ ...base, status: 'done', coverage, sources: sources! });
    }

  const expected = swept.length * regions.length;
  return {
    format: SWEEP_RESULT_FORMAT,
    version: 1,
    sweepId: `bench-${accounts}x${regions.length}`,
    mode: 'enforce',
    objective: 'coverage',
    coveragePlan: { repairs: [], disable: [], cost: { writes: counts.repaired, sourcesNewlyBilled: counts.repaired, managementCopiesAdded: 0, clocksRestarted: 0 }, redundantCarriers: [orgTrail] },
    startedAt: at(now - 8 * 60_000),
    finishedAt,
    endpoint: 'aws',
    organization: { managementAccountId: management, accounts: swept.map((id, i) => ({ id, name: `account-${i}`, ou: ouOf(i) })), skipped, regions },
    writesApplied: counts.repaired,
    writeBudgetLeft: 0,
    summary: {
      sweepId: `bench-${accounts}x${regions.length}`,
      complete: true,
      timedOut: false,
      expected,
      reported: expected,
      compliant: counts.compliant,
      repaired: counts.repaired,
      pendingFirstDelivery: 0,
      exempt: counts.exempt,
      drifted: counts.drifted,
      notRemediable: counts.notRemediable,
      unreachable,
      failed: [],
      neverReported: [],
      writes: counts.repaired,
      notNeeded: counts.notNeeded,
      coverage: coverageCounts,
      topProblems: [['loggingStopped', counts.drifted]],
      needsPerson,
    },
    accountRegions,
  };
}
