import { clockEffectOfAction, REQUIRED_PERMISSIONS, type Action } from '../../../../lib/domain/actions';

const base = { accountId: '222222222222', region: 'us-east-1', sourceArn: 'arn', why: 'w' };
const oneOfEach: Action[] = [
  { ...base, kind: 'putEventSelectors', operation: 'PutEventSelectors', input: { TrailName: 'arn', EventSelectors: [] } },
  { ...base, kind: 'updateEventDataStoreSelectors', operation: 'UpdateEventDataStore', input: { EventDataStore: 'arn', AdvancedEventSelectors: [] } },
  { ...base, kind: 'startLogging', operation: 'StartLogging', input: { Name: 'arn' } },
  { ...base, kind: 'startIngestion', operation: 'StartEventDataStoreIngestion', input: { EventDataStore: 'arn' } },
  { ...base, kind: 'putInsightSelectors', operation: 'PutInsightSelectors', input: { EventDataStore: 'arn', InsightsDestination: 'dest', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] } },
  { ...base, kind: 'disableInsights', operation: 'PutInsightSelectors', input: { TrailName: 'arn', InsightSelectors: [] } },
  {
    ...base,
    kind: 'createInsightsDestination',
    operation: 'CreateEventDataStore',
    creates: 'ref',
    input: { Name: 'n', AdvancedEventSelectors: [], MultiRegionEnabled: true, OrganizationEnabled: false, RetentionPeriod: 366, BillingMode: 'EXTENDABLE_RETENTION_PRICING', TerminationProtectionEnabled: true, TagsList: [] },
  },
];

describe('actions', () => {
  it('declare the IAM action of their CloudTrail operation', () => {
    for (const a of oneOfEach) expect(REQUIRED_PERMISSIONS[a.kind]).toEqual([`cloudtrail:${a.operation}`]);
    expect(Object.keys(REQUIRED_PERMISSIONS).sort()).toEqual(oneOfEach.map((a) => a.kind).sort());
  });

  it('say what they do to the Insights clock', () => {
    expect(oneOfEach.map(clockEffectOfAction)).toEqual([
      undefined,
      undefined,
      { type: 'loggingStarted', alwaysRestarts: false },
      { type: 'loggingStarted', alwaysRestarts: true },
      { type: 'insightsSet', channels: ['ApiCallRateInsight:Management'], destination: 'dest' },
      { type: 'insightsSet', channels: [] },
      undefined,
    ]);
  });
});
