import {
  BillExpirationException,
  CostExplorerClient,
  CostExplorerServiceException,
  DataUnavailableException,
  GetCostAndUsageCommand,
  InvalidNextTokenException,
  LimitExceededException,
  RequestChangedException,
} from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { COST_PERMISSIONS, costExplorerClient, lastFullMonth, lastMonthInsightsSpend, REGION_BILLING_CODES, regionOfUsageType } from '../../../../lib/aws/cost-explorer';

const ce = mockClient(CostExplorerClient);
const client = new CostExplorerClient({ region: 'us-east-1' });
const EARLY_JANUARY = new Date('2027-01-03T08:00:00Z');
const MGMT = '111111111111';
const PROD = '222222222222';
const group = (account: string, usageType: string, amount: string, unit = 'USD') => ({ Keys: [account, usageType], Metrics: { UnblendedCost: { Amount: amount, Unit: unit } } });
const page = (groups: ReturnType<typeof group>[], extra: Record<string, unknown> = {}) => ({
  ResultsByTime: [{ TimePeriod: { Start: '2026-12-01', End: '2027-01-01' }, Total: {}, Groups: groups, Estimated: false }],
  ...extra,
});
const meta = { httpStatusCode: 400, $metadata: {} };

beforeEach(() => ce.reset());

describe('lastMonthInsightsSpend: the request', () => {
  it('sends one GetCostAndUsage for December of the previous year when now is early January: MONTHLY UnblendedCost, CloudTrail Insights usage types, grouped by account and usage type', async () => {
    ce.on(GetCostAndUsageCommand).resolves(page([]));
    const spend = await lastMonthInsightsSpend(client, EARLY_JANUARY, { regions: ['us-east-1', 'eu-west-1'] });
    expect(ce).toHaveReceivedCommandTimes(GetCostAndUsageCommand, 1);
    expect(ce.commandCalls(GetCostAndUsageCommand)[0]!.args[0].input).toEqual({
      TimePeriod: { Start: '2026-12-01', End: '2027-01-01' },
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
      Filter: {
        And: [
          { Dimensions: { Key: 'SERVICE', Values: ['AWS CloudTrail'] } },
          { Dimensions: { Key: 'USAGE_TYPE', Values: ['USE1-InsightsEvents', 'USE1-DataInsightsEvents', 'EU-InsightsEvents', 'EU-DataInsightsEvents'] } },
        ],
      },
      GroupBy: [
        { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
        { Type: 'DIMENSION', Key: 'USAGE_TYPE' },
      ],
    });
    expect(spend).toEqual({ status: 'known', period: { start: '2026-12-01', end: '2027-01-01' }, byAccountRegion: [], total: 0, calls: 1 });
  });

  it('asks for every region with a known billing code when no regions are given', async () => {
    ce.on(GetCostAndUsageCommand).resolves(page([]));
    await lastMonthInsightsSpend(client, EARLY_JANUARY);
    const values = (ce.commandCalls(GetCostAndUsageCommand)[0]!.args[0].input.Filter!.And![1]!.Dimensions!.Values)!;
    expect(values).toHaveLength(Object.keys(REGION_BILLING_CODES).length * 2);
    expect(values).toEqual(expect.arrayContaining(['USE2-InsightsEvents', 'APS3-DataInsightsEvents', 'UGW1-InsightsEvents']));
  });

  it('leaves out regions without a billing code and says so; with none left it makes no call', async () => {
    ce.on(GetCostAndUsageCommand).resolves(page([]));
    const some = await lastMonthInsightsSpend(client, EARLY_JANUARY, { regions: ['us-east-1', 'xx-nowhere-1'] });
    expect(some).toMatchObject({ status: 'known', regionsWithoutBillingCode: ['xx-nowhere-1'], calls: 1 });
    const none = await lastMonthInsightsSpend(client, EARLY_JANUARY, { regions: ['xx-nowhere-1'] });
    expect(none).toMatchObject({ status: 'unknown', reason: 'no billing region code is known for xx-nowhere-1', calls: 0 });
    expect(ce).toHaveReceivedCommandTimes(GetCostAndUsageCommand, 1);
  });

  it('computes the last full calendar month in UTC', () => {
    expect(lastFullMonth(new Date('2027-01-01T00:00:00Z'))).toEqual({ start: '2026-12-01', end: '2027-01-01' });
    expect(lastFullMonth(new Date('2026-03-31T23:59:59Z'))).toEqual({ start: '2026-02-01', end: '2026-03-01' });
    expect(lastFullMonth(new Date('2026-12-15T12:00:00Z'))).toEqual({ start: '2026-11-01', end: '2026-12-01' });
  });
});

describe('lastMonthInsightsSpend: the answer', () => {
  it('sums management and data Insights per account-region, as numbers, sorted, with the currency and total', async () => {
    ce.on(GetCostAndUsageCommand).resolves(
      page([
        group(PROD, 'EU-InsightsEvents', '1.25'),
        group(MGMT, 'USE1-InsightsEvents', '12.3400000001'),
        group(PROD, 'USE1-InsightsEvents', '0.1'),
        group(PROD, 'USE1-DataInsightsEvents', '0.2'),
      ]),
    );
    const spend = await lastMonthInsightsSpend(client, EARLY_JANUARY, { regions: ['us-east-1', 'eu-west-1'] });
    expect(spend).toEqual({
      status: 'known',
      period: { start: '2026-12-01', end: '2027-01-01' },
      currency: 'USD',
      byAccountRegion: [
        { accountId: MGMT, region: 'us-east-1', amount: 12.3400000001 },
        { accountId: PROD, region: 'eu-west-1', amount: 1.25 },
        { accountId: PROD, region: 'us-east-1', amount: 0.3 },
      ],
      total: 13.8900000001,
      calls: 1,
    });
  });

  it('follows NextPageToken with the same request, counting each page as a call', async () => {
    ce.on(GetCostAndUsageCommand)
      .resolvesOnce(page([group(MGMT, 'USE1-InsightsEvents', '1')], { NextPageToken: 'page-2' }))
      .resolvesOnce(page([group(MGMT, 'USE1-InsightsEvents', '2'), group(PROD, 'USW2-InsightsEvents', '3')], { NextPageToken: 'page-3' }))
      .resolvesOnce(page([]));
    const spend = await lastMonthInsightsSpend(client, EARLY_JANUARY, { regions: ['us-east-1', 'us-west-2'] });
    const inputs = ce.commandCalls(GetCostAndUsageCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.NextPageToken)).toEqual([undefined, 'page-2', 'page-3']);
    const withoutToken = inputs.map(({ NextPageToken: _t, ...rest }) => rest);
    expect(withoutToken).toEqual([withoutToken[0], withoutToken[0], withoutToken[0]]);
    expect(spend).toMatchObject({ status: 'known', calls: 3, total: 6, byAccountRegion: [{ accountId: MGMT, region: 'us-east-1', amount: 3 }, { accountId: PROD, region: 'us-west-2', amount: 3 }] });
  });

  it('reports an estimated month', async () => {
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [{ Groups: [group(MGMT, 'USE1-InsightsEvents', '1')], Estimated: true }] });
    expect(await lastMonthInsightsSpend(client, EARLY_JANUARY, { regions: ['us-east-1'] })).toMatchObject({ status: 'known', estimated: true });
  });

  it('ignores groups it cannot place (unknown code, no amount) and refuses two currencies', async () => {
    ce.on(GetCostAndUsageCommand).resolvesOnce(page([group(MGMT, 'ZZZ9-InsightsEvents', '5'), group(MGMT, 'USE1-InsightsEvents', 'n/a'), group(MGMT, 'USE1-InsightsEvents', '1')]));
    expect(await lastMonthInsightsSpend(client, EARLY_JANUARY, { regions: ['us-east-1'] })).toMatchObject({ status: 'known', total: 1 });
    ce.reset();
    ce.on(GetCostAndUsageCommand).resolvesOnce(page([group(MGMT, 'USE1-InsightsEvents', '1'), group(PROD, 'USE1-InsightsEvents', '1', 'EUR')]));
    expect(await lastMonthInsightsSpend(client, EARLY_JANUARY, { regions: ['us-east-1'] })).toMatchObject({ status: 'unknown', reason: 'Cost Explorer answered in two currencies, USD and EUR' });
  });

  it('reads the region back from the usage type', () => {
    expect(regionOfUsageType('EU-InsightsEvents')).toBe('eu-west-1');
    expect(regionOfUsageType('APS3-DataInsightsEvents')).toBe('ap-south-1');
    expect(regionOfUsageType('USE1-PaidEventsRecorded')).toBeUndefined();
    expect(regionOfUsageType('InsightsEvents')).toBeUndefined();
  });
});

describe('lastMonthInsightsSpend: failures are "unknown" with the reason, never a throw', () => {
  const unmodeled = (name: string, message: string) => new CostExplorerServiceException({ name, message, $fault: 'client', $metadata: {} });
  it.each([
    ['AccessDeniedException', unmodeled('AccessDeniedException', 'User: arn:aws:iam::111111111111:user/x is not authorized to perform: ce:GetCostAndUsage'), /^AccessDeniedException: User: .* \(the management account may not call ce:GetCostAndUsage\)$/],
    ['Cost Explorer never enabled', unmodeled('AccessDeniedException', 'User not enabled for cost explorer access'), /^AccessDeniedException: User not enabled for cost explorer access \(Cost Explorer is not enabled: .*console\)$/],
    ['DataUnavailableException', new DataUnavailableException({ message: 'Data is not available.', ...meta }), /^DataUnavailableException: Data is not available\. \(Cost Explorer has no data for the month yet\)$/],
    ['BillExpirationException', new BillExpirationException({ message: 'The requested report expired.', ...meta }), /^BillExpirationException: .*\(Cost Explorer no longer has the month\)$/],
    ['LimitExceededException', new LimitExceededException({ message: 'You made too many calls', ...meta }), /^LimitExceededException: .*throttled/],
    ['InvalidNextTokenException', new InvalidNextTokenException({ message: 'bad token', ...meta }), /^InvalidNextTokenException: bad token \(paging failed/],
    ['RequestChangedException', new RequestChangedException({ message: 'changed', ...meta }), /^RequestChangedException: changed \(paging failed/],
    ['a network fault', Object.assign(new Error('socket hang up\n  at somewhere'), { name: 'ECONNRESET' }), /^ECONNRESET: socket hang up at somewhere \(the next sweep asks again\)$/],
  ])('%s', async (_what, error, reason) => {
    ce.on(GetCostAndUsageCommand).rejects(error);
    const spend = await lastMonthInsightsSpend(client, EARLY_JANUARY, { regions: ['us-east-1'] });
    expect(spend).toMatchObject({ status: 'unknown', period: { start: '2026-12-01', end: '2027-01-01' }, byAccountRegion: [], total: 0, calls: 1 });
    expect(spend.reason).toMatch(reason);
    expect(spend.reason).not.toContain('\n');
  });

  it('discards earlier pages when a later one fails', async () => {
    ce.on(GetCostAndUsageCommand).resolvesOnce(page([group(MGMT, 'USE1-InsightsEvents', '1')], { NextPageToken: 't' })).rejectsOnce(new RequestChangedException({ message: 'changed', ...meta }));
    expect(await lastMonthInsightsSpend(client, EARLY_JANUARY, { regions: ['us-east-1'] })).toMatchObject({ status: 'unknown', byAccountRegion: [], total: 0, calls: 2 });
  });

  it('stops following a token that never ends', async () => {
    ce.on(GetCostAndUsageCommand).resolves(page([], { NextPageToken: 'again' }));
    expect(await lastMonthInsightsSpend(client, EARLY_JANUARY, { regions: ['us-east-1'] })).toMatchObject({ status: 'unknown', reason: 'GetCostAndUsage returned more than 50 pages', calls: 50 });
  });
});

describe('the client and the permission', () => {
  it('builds a us-east-1 client with the endpoint override and at most 3 attempts', async () => {
    const c = costExplorerClient({ endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, maxAttempts: 6 });
    expect(await c.config.region()).toBe('us-east-1');
    expect(await c.config.maxAttempts()).toBe(3);
    expect((await c.config.endpoint!()).hostname).toBe('127.0.0.1');
  });

  it('names the one action, on "*"', () => {
    expect(COST_PERMISSIONS).toEqual({ GetCostAndUsage: { action: 'ce:GetCostAndUsage', scope: ['*'] } });
  });
});

describe('the Cost Explorer endpoint', () => {
  it.each([
    ['us-west-2', 'https://ce.us-east-1.amazonaws.com'],
    ['us-gov-east-1', 'https://ce.us-gov-west-1.amazonaws.com'],
    ['cn-north-1', 'https://ce.cn-northwest-1.amazonaws.com.cn'],
  ])("is the home partition's own (home region %s: %s)", async (homeRegion, url) => {
    const client = costExplorerClient({ homeRegion, credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }) });
    const resolved = client.config.endpointProvider({ Region: await client.config.region(), UseFIPS: false, UseDualStack: false });
    expect(resolved.url.href.replace(/\/$/, '')).toBe(url);
  });
});
