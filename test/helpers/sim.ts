// The simulator for integration tests: a small organization, and real SDK v3 clients pointed at it.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { Simulator, type SimulatorOptions } from '../../sim/server';
import { DEFAULT_SECRET_ACCESS_KEY } from '../../sim/state';
import type { WorldInput } from '../../sim/world';

export const MGMT = '111111111111';
export const PROD = '222222222222';
export const DEV = '333333333333';
export const OUTSIDER = '999999999999';
export const ROLE = 'InsightsRemediatorRole';
export const INSIGHT_SELECTOR = { Name: 'Insights', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Insight'] }] };
export const READ_ONLY_MGMT = { Name: 'Read-only management', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] }] };

export function testWorld(extra: Partial<WorldInput> = {}): WorldInput {
  return {
    version: 1,
    organization: {
      id: 'o-testorg1234',
      managementAccount: MGMT,
      root: 'r-ab12',
      organizationalUnits: [{ id: 'ou-ab12-prod0001', name: 'Prod', parent: 'r-ab12' }],
      accounts: [
        { id: MGMT, name: 'management', parent: 'r-ab12' },
        { id: PROD, name: 'prod', parent: 'ou-ab12-prod0001' },
        { id: DEV, name: 'dev', parent: 'r-ab12' },
        { id: '444444444444', name: 'closed', parent: 'r-ab12', state: 'SUSPENDED' },
      ],
    },
    roles: [{ name: ROLE, accounts: 'all', trustedAccounts: [MGMT] }],
    principals: [{ accessKeyId: 'AKIAALICE', account: PROD, userName: 'alice' }],
    trails: [
      { account: MGMT, name: 'org-trail', homeRegion: 'us-east-1', organization: true, multiRegion: true, insightSelectors: [{ InsightType: 'ApiCallRateInsight' }] },
      { account: PROD, name: 'audit', homeRegion: 'us-east-1', multiRegion: true },
      { account: PROD, name: 'regional', homeRegion: 'eu-west-1' },
      { account: DEV, name: 'dev-trail', homeRegion: 'us-east-1', eventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::dev/'] }] }] },
      { account: DEV, name: 'broken-bucket', homeRegion: 'eu-west-1', s3: 'accessDenied' },
    ],
    eventDataStores: [
      { account: PROD, region: 'us-east-1', id: 'prod-mgmt-store', name: 'prod-mgmt' },
      { account: PROD, region: 'us-east-1', id: 'prod-insights-store', name: 'prod-insights', advancedEventSelectors: [INSIGHT_SELECTOR] },
      { account: PROD, region: 'us-east-1', id: 'prod-readonly-store', name: 'prod-readonly', advancedEventSelectors: [READ_ONLY_MGMT] },
      { account: PROD, region: 'us-east-1', id: 'prod-stopped-store', name: 'prod-stopped', status: 'STOPPED_INGESTION' },
      { account: DEV, region: 'us-east-1', id: 'dev-insights-store', name: 'dev-insights', advancedEventSelectors: [INSIGHT_SELECTOR] },
      { account: MGMT, region: 'us-east-1', id: 'org-store-0001', name: 'org-store', organization: true },
      { account: MGMT, region: 'us-east-1', id: 'mgmt-insights-store', name: 'mgmt-insights', advancedEventSelectors: [INSIGHT_SELECTOR] },
    ],
    ...extra,
  };
}

export async function startSim(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  return Simulator.start({ world: testWorld(), throttling: { enabled: false }, transitionMs: 0, ...options });
}

/**
 * Long-term credentials for the simulator: the key's secret is the world's `secretAccessKey` for it, else the
 * simulator's documented default (DEFAULT_SECRET_ACCESS_KEY); every request is verified with SigV4.
 */
export const simCredentials = (accessKeyId: string, secretAccessKey = DEFAULT_SECRET_ACCESS_KEY) => ({ accessKeyId, secretAccessKey });
const creds = (accessKeyId: string) => simCredentials(accessKeyId);

export const cloudtrail = (sim: Simulator, account: string, region = 'us-east-1', maxAttempts = 1) =>
  new CloudTrailClient({ endpoint: sim.endpoint, region, credentials: creds(account), maxAttempts });
export const organizations = (sim: Simulator, account = MGMT, maxAttempts = 1) =>
  new OrganizationsClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: creds(account), maxAttempts });
export const sts = (sim: Simulator, account = MGMT, region = 'us-east-1') => new STSClient({ endpoint: sim.endpoint, region, credentials: creds(account), maxAttempts: 1 });
/** Cost Explorer has one endpoint, signed for us-east-1 (`com.amazonaws.costexplorer#AWSInsightsIndexService`). */
export const costExplorer = (sim: Simulator, caller = MGMT, region = 'us-east-1', maxAttempts = 1) =>
  new CostExplorerClient({ endpoint: sim.endpoint, region, credentials: creds(caller), maxAttempts });

export const storeArn = (id: string, account = PROD, region = 'us-east-1') => `arn:aws:cloudtrail:${region}:${account}:eventdatastore/${id}`;
export const trailArn = (name: string, account = PROD, region = 'us-east-1') => `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;

/** The error a promise rejects with, for asserting on its class, name and message. */
export async function rejection(p: Promise<unknown>): Promise<Error & { name: string; $metadata?: { httpStatusCode?: number }; $fault?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { name: string };
  }
  throw new Error('expected the call to fail');
}
