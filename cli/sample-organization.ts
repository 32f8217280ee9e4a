/**
 * The demo's organization, as observed state: an organization trail (and its shadow copy in a member account),
 * and trails and event data stores in the states drift really takes: Insights off, only read management events
 * logged after a selector change, logging stopped, ingestion stopped, a missing Insights destination, an
 * exemption, and a repair still inside its delivery window.
 */
import type { ClockFacts } from '../lib/domain/insights-clock';
import type { EventDataStoreState, EventDataStoreSummary, SourceState, TrailState } from '../lib/domain/model';

const MANAGEMENT = '111111111111';
const PROD = '222222222222';
const DEV = '333333333333';
const SANDBOX = '444444444444';

const trailArn = (account: string, region: string, name: string) => `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;
const storeArn = (account: string, region: string, id: string) => `arn:aws:cloudtrail:${region}:${account}:eventdatastore/${id}`;
const BOTH = [
  { InsightType: 'ApiCallRateInsight' as const, EventCategories: ['Management' as const] },
  { InsightType: 'ApiErrorRateInsight' as const, EventCategories: ['Management' as const] },
];
const MGMT_SELECTOR = { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] };

const identity = (account: string, region: string, name: string, arn: string) => ({
  arn,
  name,
  accountId: account,
  observedFromAccountId: account,
  region,
  homeRegion: region,
  multiRegion: true,
  organizationOwned: false,
  insightSelectors: BOTH,
});

function trail(account: string, name: string, over: Partial<TrailState> = {}): TrailState {
  const region = over.homeRegion ?? 'us-east-1';
  return {
    kind: 'trail',
    ...identity(account, region, name, trailArn(account, region, name)),
    eventSelectors: { kind: 'basic', selectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] }] },
    isLogging: true,
    ...over,
  };
}

function store(account: string, id: string, over: Partial<EventDataStoreState> = {}): EventDataStoreState {
  const region = over.homeRegion ?? 'us-east-1';
  return {
    kind: 'eventDataStore',
    ...identity(account, region, id, storeArn(account, region, id)),
    status: 'ENABLED',
    advancedEventSelectors: [MGMT_SELECTOR],
    insightsDestination: storeArn(account, region, 'insights-dest'),
    ...over,
  };
}

export function sampleOrganization(now: Date) {
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
  const orgTrail = trail(MANAGEMENT, 'org-trail', { organizationOwned: true, startLoggingTime: hoursAgo(24 * 90) });
  const sources: { state: SourceState; clockFacts?: ClockFacts }[] = [
    { state: orgTrail },
    // The organization trail as a member account sees it: read-only there.
    { state: { ...orgTrail, observedFromAccountId: PROD, insightSelectors: [] } },
    { state: trail(PROD, 'audit', { insightSelectors: [] }) },
    {
      state: store(PROD, 'lake-mgmt', { status: 'STOPPED_INGESTION' }),
    },
    // The Stratus Red Team "disable via event selectors" change: read-only, management events off, data events kept.
    {
      state: trail(DEV, 'dev-trail', {
        homeRegion: 'eu-west-1',
        insightSelectors: [{ InsightType: 'ApiErrorRateInsight' }],
        eventSelectors: {
          kind: 'basic',
          selectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::dev-artifacts/'] }] }],
        },
      }),
    },
    { state: store(DEV, 'dev-lake', { insightSelectors: [], insightsDestination: undefined }) },
    { state: trail(SANDBOX, 'legacy-audit', { insightSelectors: [] }) },
    { state: trail(SANDBOX, 'sandbox-trail', { isLogging: false, stopLoggingTime: hoursAgo(3) }) },
    // Repaired ten hours ago: inside its 36-hour delivery window.
    {
      state: trail(SANDBOX, 'security', { startLoggingTime: hoursAgo(24 * 60) }),
      clockFacts: {
        kind: 'trail',
        logging: 'on',
        channels: {
          'ApiCallRateInsight:Management': { since: hoursAgo(10), basis: 'enabled' },
          'ApiErrorRateInsight:Management': { since: hoursAgo(10), basis: 'enabled' },
        },
      },
    },
  ];
  const eventDataStores: EventDataStoreSummary[] = [
    { arn: storeArn(PROD, 'us-east-1', 'lake-mgmt'), name: 'lake-mgmt', accountId: PROD, region: 'us-east-1', status: 'STOPPED_INGESTION', eventCategories: ['Management'] },
    { arn: storeArn(PROD, 'us-east-1', 'insights-dest'), name: 'insights-dest', accountId: PROD, region: 'us-east-1', status: 'ENABLED', eventCategories: ['Insight'] },
    { arn: storeArn(DEV, 'us-east-1', 'dev-lake'), name: 'dev-lake', accountId: DEV, region: 'us-east-1', status: 'ENABLED', eventCategories: ['Management'] },
  ];
  return { managementAccountId: MANAGEMENT, accounts: [MANAGEMENT, PROD, DEV, SANDBOX], sources, eventDataStores };
}
