// Cost Explorer's GetCostAndUsage through the real SDK v3 client: the organization's access rules, Filter and
// GroupBy, MONTHLY periods, pages, the errors, and the world file's `costs` (docs/simulator.md, "Cost Explorer").
import { GetCostAndUsageCommand, type GetCostAndUsageCommandInput } from '@aws-sdk/client-cost-explorer';
import { SimClock } from '../../../sim/clock';
import type { Simulator } from '../../../sim/server';
import { parseWorld, validateWorld, worldToYaml, type WorldInput } from '../../../sim/world';
import { costExplorer, DEV, MGMT, PROD, rejection, startSim, testWorld } from '../../helpers/sim';

const NOW = new Date('2027-01-03T08:00:00Z');
const DECEMBER = { Start: '2026-12-01', End: '2027-01-01' };
const COSTS: NonNullable<WorldInput['costs']> = {
  memberAccess: true,
  months: {
    '2026-11': [{ account: PROD, usageType: 'USE1-InsightsEvents', region: 'us-east-1', amount: 3 }],
    '2026-12': [
      { account: MGMT, usageType: 'USE1-InsightsEvents', region: 'us-east-1', amount: 12.34 },
      { account: MGMT, usageType: 'USE1-PaidEventsRecorded', region: 'us-east-1', amount: 2 },
      { account: PROD, usageType: 'USE1-InsightsEvents', region: 'us-east-1', amount: 0.5 },
      { account: PROD, usageType: 'EU-InsightsEvents', region: 'eu-west-1', amount: 1.25 },
      { account: PROD, usageType: 'EU-DataInsightsEvents', region: 'eu-west-1', amount: 0.75 },
      { account: DEV, service: 'Amazon Simple Storage Service', usageType: 'EU-TimedStorage-ByteHrs', region: 'eu-west-1', amount: 7 },
    ],
    '2027-01': [{ account: MGMT, usageType: 'USE1-InsightsEvents', region: 'us-east-1', amount: 31 }],
  },
};
const INSIGHTS_QUERY: GetCostAndUsageCommandInput = {
  TimePeriod: DECEMBER,
  Granularity: 'MONTHLY',
  Metrics: ['UnblendedCost'],
  Filter: { And: [{ Dimensions: { Key: 'SERVICE', Values: ['AWS CloudTrail'] } }, { Dimensions: { Key: 'USAGE_TYPE', Values: ['USE1-InsightsEvents', 'EU-InsightsEvents', 'EU-DataInsightsEvents'] } }] },
  GroupBy: [
    { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
    { Type: 'DIMENSION', Key: 'USAGE_TYPE' },
  ],
};

let sim: Simulator;
afterEach(() => sim?.stop());

/** `null`: a world without a `costs` section. */
async function start(costs: WorldInput['costs'] | null = COSTS, options: Parameters<typeof startSim>[0] = {}): Promise<Simulator> {
  const clock = new SimClock();
  clock.freeze(NOW);
  sim = await startSim({ world: testWorld({ ...(costs && { costs }) }), clock, ...options });
  return sim;
}
const get = (input: GetCostAndUsageCommandInput, caller = MGMT, region = 'us-east-1') => costExplorer(sim, caller, region).send(new GetCostAndUsageCommand(input));
const amounts = (out: Awaited<ReturnType<typeof get>>) => out.ResultsByTime!.flatMap((r) => r.Groups!.map((g) => [...g.Keys!, g.Metrics!.UnblendedCost!.Amount, g.Metrics!.UnblendedCost!.Unit]));

describe('GetCostAndUsage: the answer', () => {
  it('gives the management account every linked account, grouped by account and usage type, amounts as decimal strings, Total empty', async () => {
    await start();
    const out = await get(INSIGHTS_QUERY);
    expect(out.GroupDefinitions).toEqual(INSIGHTS_QUERY.GroupBy);
    expect(out.ResultsByTime).toHaveLength(1);
    expect(out.ResultsByTime![0]).toMatchObject({ TimePeriod: DECEMBER, Total: {}, Estimated: false });
    expect(amounts(out)).toEqual([
      [MGMT, 'USE1-InsightsEvents', '12.34', 'USD'],
      [PROD, 'EU-DataInsightsEvents', '0.75', 'USD'],
      [PROD, 'EU-InsightsEvents', '1.25', 'USD'],
      [PROD, 'USE1-InsightsEvents', '0.5', 'USD'],
    ]);
    expect(out.DimensionValueAttributes).toEqual([
      { Value: MGMT, Attributes: { description: 'management' } },
      { Value: PROD, Attributes: { description: 'prod' } },
    ]);
    expect(out.NextPageToken).toBeUndefined();
  });

  it('gives a member account only its own costs (LINKED_ACCOUNT), when the management account lets members in', async () => {
    await start();
    expect(amounts(await get(INSIGHTS_QUERY, PROD)).map((g) => g[0])).toEqual([PROD, PROD, PROD]);
    expect(amounts(await get({ ...INSIGHTS_QUERY, Filter: undefined }, DEV))).toEqual([[DEV, 'EU-TimedStorage-ByteHrs', '7', 'USD']]);
  });

  it('filters with Or, Not and REGION, and without GroupBy puts the sum in Total', async () => {
    await start();
    const out = await get({
      TimePeriod: DECEMBER,
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost', 'BlendedCost'],
      Filter: { And: [{ Or: [{ Dimensions: { Key: 'REGION', Values: ['eu-west-1'] } }, { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [MGMT] } }] }, { Not: { Dimensions: { Key: 'SERVICE', Values: ['Amazon Simple Storage Service'] } } }] },
    });
    // MGMT's 12.34 + 2 and PROD's eu-west-1 1.25 + 0.75; DEV's S3 is excluded.
    expect(out.ResultsByTime![0]).toMatchObject({ Total: { UnblendedCost: { Amount: '16.34', Unit: 'USD' }, BlendedCost: { Amount: '16.34', Unit: 'USD' } }, Groups: [] });
    expect(out.GroupDefinitions).toBeUndefined();
  });

  it('matches Dimensions values exactly and case-sensitively (EQUALS, CASE_SENSITIVE)', async () => {
    await start();
    expect(amounts(await get({ ...INSIGHTS_QUERY, Filter: { Dimensions: { Key: 'USAGE_TYPE', Values: ['use1-insightsevents', 'InsightsEvents'], MatchOptions: ['EQUALS', 'CASE_SENSITIVE'] } } }))).toEqual([]);
  });

  it('gives one result per calendar month, a part of a month its share of days, the current month estimated', async () => {
    await start();
    const out = await get({ TimePeriod: { Start: '2026-11-16', End: '2027-01-03' }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'], Filter: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [PROD] } }, GroupBy: [{ Type: 'DIMENSION', Key: 'REGION' }] });
    expect(out.ResultsByTime!.map((r) => [r.TimePeriod, r.Estimated, r.Groups!.map((g) => [g.Keys![0], g.Metrics!.UnblendedCost!.Amount])])).toEqual([
      [{ Start: '2026-11-16', End: '2026-12-01' }, false, [['us-east-1', '1.5']]],
      [DECEMBER, false, [['eu-west-1', '2'], ['us-east-1', '0.5']]],
      [{ Start: '2027-01-01', End: '2027-01-03' }, true, []],
    ]);
  });

  it('answers a world without costs with empty months', async () => {
    await start(null);
    expect(amounts(await get(INSIGHTS_QUERY))).toEqual([]);
  });
});

describe('GetCostAndUsage: pages', () => {
  it('pages groups with NextPageToken; a changed request is RequestChangedException, a bad token InvalidNextTokenException', async () => {
    await start(COSTS, { costExplorerPageSize: 3 });
    const first = await get(INSIGHTS_QUERY);
    expect(amounts(first)).toHaveLength(3);
    expect(first.NextPageToken).toEqual(expect.any(String));
    const second = await get({ ...INSIGHTS_QUERY, NextPageToken: first.NextPageToken });
    expect(amounts(second)).toEqual([[PROD, 'USE1-InsightsEvents', '0.5', 'USD']]);
    expect(second.NextPageToken).toBeUndefined();
    expect(second.ResultsByTime![0]!.TimePeriod).toEqual(DECEMBER);

    const changed = await rejection(get({ ...INSIGHTS_QUERY, Metrics: ['BlendedCost'], NextPageToken: first.NextPageToken }));
    expect([changed.name, changed.message]).toEqual(['RequestChangedException', 'Your request parameters changed between pages. Try again with the old parameters or without a pagination token.']);
    expect((await rejection(get({ ...INSIGHTS_QUERY, NextPageToken: 'not-a-token' }))).name).toBe('InvalidNextTokenException');
  });
});

describe('GetCostAndUsage: who may call', () => {
  it('Cost Explorer never enabled: AccessDeniedException "User not enabled for cost explorer access"', async () => {
    await start({ ...COSTS, enabled: false });
    const e = await rejection(get(INSIGHTS_QUERY));
    expect([e.name, e.message, e.$metadata?.httpStatusCode]).toEqual(['AccessDeniedException', 'User not enabled for cost explorer access', 400]);
  });

  it('members refused by the management account get the same answer', async () => {
    await start({ ...COSTS, memberAccess: false });
    expect((await rejection(get(INSIGHTS_QUERY, PROD))).message).toBe('User not enabled for cost explorer access');
    expect((await get(INSIGHTS_QUERY, MGMT)).ResultsByTime).toHaveLength(1);
  });

  it('callers without ce:GetCostAndUsage, by account or by access key: AccessDeniedException in IAM\'s words', async () => {
    await start({ ...COSTS, deniedCallers: [MGMT, 'AKIAALICE'] });
    expect((await rejection(get(INSIGHTS_QUERY))).message).toBe(`User: arn:aws:iam::${MGMT}:user/admin is not authorized to perform: ce:GetCostAndUsage because no identity-based policy allows the ce:GetCostAndUsage action`);
    expect((await rejection(get(INSIGHTS_QUERY, 'AKIAALICE'))).name).toBe('AccessDeniedException');
    expect((await get(INSIGHTS_QUERY, PROD)).ResultsByTime).toHaveLength(1);
  });

  it('data not prepared yet: DataUnavailableException', async () => {
    await start({ ...COSTS, dataAvailable: false });
    expect((await rejection(get(INSIGHTS_QUERY))).name).toBe('DataUnavailableException');
  });

  it('refuses a credential scope outside us-east-1', async () => {
    await start();
    const e = await rejection(get(INSIGHTS_QUERY, MGMT, 'eu-west-1'));
    expect([e.name, e.$metadata?.httpStatusCode]).toEqual(['InvalidSignatureException', 403]);
  });

  it('faults: throttling is LimitExceededException; accessDenied names the ce: action', async () => {
    await start();
    const removeThrottle = sim.faults.add({ effect: 'throttle', service: 'costexplorer' });
    expect((await rejection(get(INSIGHTS_QUERY))).name).toBe('LimitExceededException');
    removeThrottle();
    sim.faults.add({ effect: 'accessDenied', service: 'costexplorer', times: 1 });
    expect((await rejection(get(INSIGHTS_QUERY))).message).toContain('not authorized to perform: ce:GetCostAndUsage');
    expect(sim.callCounts((c) => c.service === 'costexplorer').errors).toEqual({ LimitExceededException: 1, AccessDeniedException: 1 });
  });
});

describe('GetCostAndUsage: validation', () => {
  const base = { TimePeriod: DECEMBER, Granularity: 'MONTHLY' as const, Metrics: ['UnblendedCost'] };
  it.each<[string, Record<string, unknown>, string | RegExp]>([
    ['a missing required member (the model)', { TimePeriod: DECEMBER, Granularity: 'MONTHLY' }, /Value null at 'Metrics' failed to satisfy constraint/],
    ['a value outside an enum (the model)', { ...base, Granularity: 'YEARLY' }, /Member must satisfy enum value set: \[DAILY, MONTHLY, HOURLY\]/],
    ['a malformed date (the model\'s pattern)', { ...base, TimePeriod: { Start: '2026/12/01', End: '2027-01-01' } }, /regular expression pattern/],
    ['an impossible date', { ...base, TimePeriod: { Start: '2026-02-30', End: '2026-03-01' } }, /Start 2026-02-30 is not a valid date/],
    ['End not after Start', { ...base, TimePeriod: { Start: '2026-12-01', End: '2026-12-01' } }, 'Start date (and hour) should be before end date (and hour)'],
    ['a Start after today', { ...base, TimePeriod: { Start: '2027-02-01', End: '2027-03-01' } }, 'Start date 2027-02-01 is after the current date'],
    ['DAILY granularity', { ...base, Granularity: 'DAILY' }, 'Granularity DAILY (only MONTHLY) is not implemented by this simulator'],
    ['an unknown metric', { ...base, Metrics: ['Cost'] }, /Invalid metric "Cost"/],
    ['UsageQuantity', { ...base, Metrics: ['UsageQuantity'] }, 'Metric UsageQuantity is not implemented by this simulator'],
    ['three group-bys', { ...base, GroupBy: ['LINKED_ACCOUNT', 'REGION', 'SERVICE'].map((Key) => ({ Type: 'DIMENSION', Key })) }, 'You can group by up to two different groups'],
    ['a TAG group-by', { ...base, GroupBy: [{ Type: 'TAG', Key: 'team' }] }, 'GroupBy type TAG (only DIMENSION) is not implemented by this simulator'],
    ['an AZ group-by', { ...base, GroupBy: [{ Type: 'DIMENSION', Key: 'AZ' }] }, /GroupBy dimension AZ .* is not implemented/],
    ['CONTAINS on a dimension', { ...base, Filter: { Dimensions: { Key: 'USAGE_TYPE', Values: ['InsightsEvents'], MatchOptions: ['CONTAINS'] } } }, 'Filter.Dimensions: MatchOptions CONTAINS is not supported for Dimensions: valid values are EQUALS and CASE_SENSITIVE'],
    ['two roots in one expression', { ...base, Filter: { And: [{ Dimensions: { Key: 'REGION', Values: ['us-east-1'] } }], Dimensions: { Key: 'USAGE_TYPE', Values: ['DataTransfer'] } } }, 'Expression has more than one roots. Only one root operator is allowed for each expression: And, Or, Not, Dimensions, Tags, CostCategories'],
    ['a filter on tags', { ...base, Filter: { Tags: { Key: 'team', Values: ['a'] } } }, 'Filter on Tags is not implemented by this simulator'],
    ['Dimensions without values', { ...base, Filter: { Dimensions: { Key: 'REGION', Values: [] } } }, 'Filter.Dimensions: Values must name at least one value'],
  ])('rejects %s with ValidationException', async (_what, input, message) => {
    await start();
    const e = await rejection(get(input as unknown as GetCostAndUsageCommandInput));
    expect(e.name).toBe('ValidationException');
    expect(e.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
  });
});

describe('the world file\'s costs', () => {
  it('round-trips: a dumped world answers the same', async () => {
    await start({ ...COSTS, deniedCallers: ['AKIAALICE'], currency: 'EUR' });
    const before = await get(INSIGHTS_QUERY);
    const yaml = worldToYaml(sim.dumpWorld());
    expect(yaml).toContain('usageType: EU-DataInsightsEvents');
    await sim.stop();
    const clock = new SimClock();
    clock.freeze(NOW);
    sim = await startSim({ world: parseWorld(yaml, 'dumped.yaml'), clock });
    expect(await get(INSIGHTS_QUERY)).toEqual({ ...before, $metadata: expect.anything() });
    expect(amounts(before)[0]![3]).toBe('EUR');
    expect((await rejection(get(INSIGHTS_QUERY, 'AKIAALICE'))).name).toBe('AccessDeniedException');
    expect(worldToYaml(sim.dumpWorld())).toBe(yaml);
  });

  it.each([
    ['an account outside the organization', { months: { '2026-12': [{ account: '555555555555', usageType: 'USE1-InsightsEvents', region: 'us-east-1', amount: 1 }] } }, /costs\.months\.2026-12: account 555555555555 is not in the organization/],
    ['a malformed month', { months: { '2026-13': [] } }, /costs\.months\["2026-13"\]: Invalid key in record/],
    ['a line item without its region', { months: { '2026-12': [{ account: MGMT, usageType: 'USE1-InsightsEvents', amount: 1 }] } }, /costs\.months\["2026-12"\]\[0\]\.region: Invalid input/],
  ])('rejects %s', (_what, costs, message) => {
    expect(() => validateWorld(testWorld({ costs } as never), 'bad.yaml')).toThrow(message);
  });
});
