// lib/aws/cost-explorer.ts through the real SDK v3 client against the simulator: last month's Insights spend per
// account-region from one GetCostAndUsage request (and its pages), and "unknown" with the reason when Cost Explorer
// refuses.
import { costExplorerClient, lastMonthInsightsSpend } from '../../../lib/aws/cost-explorer';
import { SimClock } from '../../../sim/clock';
import type { Simulator } from '../../../sim/server';
import type { WorldInput } from '../../../sim/world';
import { DEV, MGMT, PROD, startSim, testWorld } from '../../helpers/sim';

const NOW = new Date('2027-01-03T08:00:00Z');
const COSTS: NonNullable<WorldInput['costs']> = {
  months: {
    '2026-11': [{ account: PROD, usageType: 'USE1-InsightsEvents', region: 'us-east-1', amount: 99 }],
    '2026-12': [
      { account: MGMT, usageType: 'USE1-InsightsEvents', region: 'us-east-1', amount: 12.34 },
      { account: MGMT, usageType: 'USE1-PaidEventsRecorded', region: 'us-east-1', amount: 2 },
      { account: PROD, usageType: 'USE1-InsightsEvents', region: 'us-east-1', amount: 0.5 },
      { account: PROD, usageType: 'EU-InsightsEvents', region: 'eu-west-1', amount: 1.25 },
      { account: PROD, usageType: 'EU-DataInsightsEvents', region: 'eu-west-1', amount: 0.75 },
      { account: PROD, usageType: 'APS3-InsightsEvents', region: 'ap-south-1', amount: 4 },
      { account: DEV, usageType: 'USW2-InsightsEvents', region: 'us-west-2', amount: 0.01 },
      { account: DEV, service: 'Amazon Simple Storage Service', usageType: 'EU-TimedStorage-ByteHrs', region: 'eu-west-1', amount: 7 },
    ],
  },
};

let sim: Simulator;
afterEach(() => sim.stop());

async function start(costs: WorldInput['costs'] = COSTS, pageSize?: number): Promise<Simulator> {
  const clock = new SimClock();
  clock.freeze(NOW);
  sim = await startSim({ world: testWorld({ costs }), clock, ...(pageSize && { costExplorerPageSize: pageSize }) });
  return sim;
}
const client = (caller = MGMT) => costExplorerClient({ endpoint: sim.endpoint, credentials: { accessKeyId: caller, secretAccessKey: 'x' }, maxAttempts: 1 });
const ceCalls = () => sim.callCounts((c) => c.service === 'costexplorer').total;

describe('lastMonthInsightsSpend through the simulator', () => {
  it('sums December\'s Insights charges per account-region for the regions asked, in one request', async () => {
    await start();
    const spend = await lastMonthInsightsSpend(client(), NOW, { regions: ['us-east-1', 'eu-west-1', 'us-west-2'] });
    expect(spend).toEqual({
      status: 'known',
      period: { start: '2026-12-01', end: '2027-01-01' },
      currency: 'USD',
      byAccountRegion: [
        { accountId: MGMT, region: 'us-east-1', amount: 12.34 },
        { accountId: PROD, region: 'eu-west-1', amount: 2 },
        { accountId: PROD, region: 'us-east-1', amount: 0.5 },
        { accountId: DEV, region: 'us-west-2', amount: 0.01 },
      ].sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region)),
      total: 14.85,
      calls: 1,
    });
    expect(ceCalls()).toBe(1);
  });

  it('covers every region with a billing code by default, and follows the pages', async () => {
    await start(COSTS, 2);
    const spend = await lastMonthInsightsSpend(client(), NOW);
    expect(spend).toMatchObject({ status: 'known', total: 18.85, calls: 3 });
    expect(spend.byAccountRegion).toContainEqual({ accountId: PROD, region: 'ap-south-1', amount: 4 });
    expect(ceCalls()).toBe(3);
  });

  it.each<[string, WorldInput['costs'], RegExp]>([
    ['without ce:GetCostAndUsage', { ...COSTS, deniedCallers: [MGMT] }, /^AccessDeniedException: User: .* is not authorized to perform: ce:GetCostAndUsage .*\(the management account may not call ce:GetCostAndUsage\)$/],
    ['without Cost Explorer', { ...COSTS, enabled: false }, /^AccessDeniedException: User not enabled for cost explorer access \(Cost Explorer is not enabled: /],
    ['before the data is ready', { ...COSTS, dataAvailable: false }, /^DataUnavailableException: .*\(Cost Explorer has no data for the month yet\)$/],
  ])('is unknown, with the reason, %s', async (_what, costs, reason) => {
    await start(costs);
    const spend = await lastMonthInsightsSpend(client(), NOW, { regions: ['us-east-1'] });
    expect(spend).toMatchObject({ status: 'unknown', byAccountRegion: [], total: 0, calls: 1 });
    expect(spend.reason).toMatch(reason);
  });

  it('is unknown when Cost Explorer keeps throttling, after the SDK\'s retries', async () => {
    await start();
    sim.faults.add({ effect: 'throttle', service: 'costexplorer' });
    const spend = await lastMonthInsightsSpend(costExplorerClient({ endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, maxAttempts: 2 }), NOW, { regions: ['us-east-1'] });
    expect(spend).toMatchObject({ status: 'unknown', calls: 1 });
    expect(spend.reason).toMatch(/^LimitExceededException: /);
    expect(ceCalls()).toBe(2);
  }, 20_000);
});
