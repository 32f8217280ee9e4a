// How an account-region reads on the coverage map, the grid the map draws, and the pending windows of the overview.
import { findings, mapStatusOf, organizationMap, pendingWindows, NO_OU } from '../../../lib/report/organization';
import type { StoredAccountRegion } from '../../../lib/report/sweep-result';
import { aStoredAccountRegion, aStoredResult, aStoredSource } from './stored-results';

const pendingClock = (until: string) => ({ status: 'pending-first-delivery' as const, windowEnd: until, channels: [] });
const delivering = { status: 'delivering' as const, channels: [] };
const coverage = (c: Partial<NonNullable<StoredAccountRegion['coverage']>>) => ({ accountId: '222222222222', region: 'us-east-1', analyzedBy: [], redundant: false, message: 'm', status: 'covered' as const, ...c });

describe('an account-region on the coverage map', () => {
  it.each<[string, StoredAccountRegion, string]>([
    ['not swept', aStoredAccountRegion({ status: 'unreachable', sources: [] }), 'unreachable'],
    ['a source a person must repair', aStoredAccountRegion({ sources: [aStoredSource({ status: 'not-remediable', driftLeft: true })] }), 'not-remediable'],
    ['uncovered with only a remedy for a person', aStoredAccountRegion({ sources: [], coverage: coverage({ status: 'uncovered', remedy: 'recreate the store' }) }), 'not-remediable'],
    ['uncovered with a carrier the plan repairs', aStoredAccountRegion({ sources: [], coverage: coverage({ status: 'uncovered', carrier: 'arn:x' }) }), 'drifted'],
    ['a source left drifted (report mode)', aStoredAccountRegion({ sources: [aStoredSource({ driftLeft: true })] }), 'drifted'],
    ['covered and pending first delivery', aStoredAccountRegion({ sources: [], coverage: coverage({ status: 'pending-first-delivery' }) }), 'pending'],
    ['repaired, its clock restarted', aStoredAccountRegion({ sources: [aStoredSource({ repaired: true, driftLeft: false, clockAfter: pendingClock('2026-11-23T00:00:00.000Z') })] }), 'pending'],
    ['covered by the coverage judgement', aStoredAccountRegion({ sources: [], coverage: coverage({ status: 'covered' }) }), 'covered'],
    ['a compliant source delivering', aStoredAccountRegion({ sources: [aStoredSource({ status: 'compliant', driftLeft: false, clockAfter: delivering })] }), 'covered'],
    ['exempt by the coverage judgement', aStoredAccountRegion({ sources: [], coverage: coverage({ status: 'exempt' }) }), 'exempt'],
    ['only exempt sources', aStoredAccountRegion({ sources: [aStoredSource({ status: 'exempt', driftLeft: false, clockAfter: { status: 'off', channels: [] } })] }), 'exempt'],
    ['nothing judged there', aStoredAccountRegion({ sources: [aStoredSource({ status: 'out-of-scope', driftLeft: false })] }), 'out-of-scope'],
  ])('%s reads %s', (_, ar, status) => {
    expect(mapStatusOf(ar)).toBe(status);
  });
});

describe('the coverage map\'s grid', () => {
  const result = aStoredResult({
    organization: {
      managementAccountId: '111111111111',
      accounts: [
        { id: '222222222222', name: 'payments', ou: { id: 'ou-prod-1', name: 'Production' } },
        { id: '333333333333', name: 'dev', ou: { id: 'ou-dev-1' } },
      ],
      skipped: [{ id: '444444444444', reason: 'account is SUSPENDED' }],
      regions: ['us-east-1', 'eu-west-1'],
    },
    accountRegions: [aStoredAccountRegion(), aStoredAccountRegion({ accountId: '333333333333', region: 'eu-west-1', sources: [], coverage: coverage({ status: 'covered' }) })],
  });

  it('has every account x every region: skipped accounts out of scope, account-regions never reported unreachable', () => {
    const map = organizationMap(result);
    expect(map.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(map.ous.map((o) => [o.name, o.accounts.map((a) => a.id)])).toEqual([
      ['ou-dev-1', ['333333333333']],
      ['Production', ['222222222222']],
      [NO_OU, ['444444444444']],
    ]);
    expect([...map.cells.values()].map((c) => `${c.accountId} ${c.region} ${c.status}`).sort()).toEqual([
      '222222222222 eu-west-1 unreachable',
      '222222222222 us-east-1 drifted',
      '333333333333 eu-west-1 covered',
      '333333333333 us-east-1 unreachable',
      '444444444444 eu-west-1 out-of-scope',
      '444444444444 us-east-1 out-of-scope',
    ]);
    expect(map.counts).toEqual({ covered: 1, pending: 0, drifted: 1, 'not-remediable': 0, exempt: 0, unreachable: 2, 'out-of-scope': 2 });
  });

  it('lists the findings: each account-region\'s own first (its coverage, or why it was not swept), then its sources', () => {
    expect(findings(result).map((f) => `${f.record} ${f.accountRegion.accountId} ${f.status}`)).toEqual(['source 222222222222 DRIFTED', 'account-region 333333333333 COVERED']);
  });
});

describe('the pending windows of the overview', () => {
  it('groups pending first deliveries by the hour their window ends, trails and stores apart, earliest first', () => {
    const result = aStoredResult({
      accountRegions: [
        aStoredAccountRegion({
          sources: [
            aStoredSource({ name: 'a', clockAfter: pendingClock('2026-11-23T00:20:00.000Z') }),
            aStoredSource({ name: 'b', clockAfter: pendingClock('2026-11-22T23:10:00.000Z') }),
            aStoredSource({ name: 'c', kind: 'eventDataStore', clockAfter: pendingClock('2026-11-28T12:00:00.000Z') }),
            aStoredSource({ name: 'd', clockAfter: delivering, clockIfRepaired: pendingClock('2026-11-23T00:00:00.000Z') }),
            aStoredSource({ name: 'e', status: 'out-of-scope', clockAfter: pendingClock('2026-11-23T00:00:00.000Z') }),
          ],
        }),
      ],
    });
    expect(pendingWindows(result)).toEqual([
      { by: '2026-11-23T00:00:00.000Z', trails: 2, stores: 0 },
      { by: '2026-11-23T01:00:00.000Z', trails: 1, stores: 0 },
      { by: '2026-11-28T12:00:00.000Z', trails: 0, stores: 1 },
    ]);
  });
});
