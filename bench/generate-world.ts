// Large organizations for benchmarks: N accounts x R regions, each account with a multi-region trail, a regional
// trail and a management-event store per region, and an Insights store; an organization trail over all of them.
import type { WorldInput } from '../sim/world';

export const REGIONS_17 = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2'];

export const accountId = (i: number) => String(100000000000 + i);

export function generateWorld(accounts: number, regions: string[]): WorldInput {
  const ids = Array.from({ length: accounts }, (_, i) => accountId(i));
  const insight = [{ Name: 'Insights', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Insight'] }] }];
  return {
    version: 1,
    organization: {
      id: 'o-benchmark001',
      managementAccount: ids[0]!,
      root: 'r-bench',
      organizationalUnits: [{ id: 'ou-bench-members1', name: 'Members', parent: 'r-bench' }],
      accounts: ids.map((id, i) => ({ id, name: `account-${i}`, parent: i === 0 ? 'r-bench' : 'ou-bench-members1' })),
    },
    roles: [{ name: 'InsightsRemediatorRole', accounts: 'all', trustedAccounts: [ids[0]!] }],
    trails: [
      { account: ids[0]!, name: 'org-trail', homeRegion: regions[0]!, organization: true, multiRegion: true, insightSelectors: [{ InsightType: 'ApiCallRateInsight' }] },
      ...ids.flatMap((account, i) => [
        { account, name: 'main', homeRegion: regions[0]!, multiRegion: true, insightSelectors: i % 3 === 0 ? [] : [{ InsightType: 'ApiErrorRateInsight' as const }] },
        ...regions.map((homeRegion) => ({ account, name: `regional-${homeRegion}`, homeRegion, logging: i % 7 !== 0 })),
      ]),
    ],
    eventDataStores: ids.flatMap((account) => [
      ...regions.map((region) => ({ account, region, id: `mgmt-${region}`, name: `mgmt-${region}` })),
      { account, region: regions[0]!, id: 'insights-dest', name: 'insights-dest', advancedEventSelectors: insight },
    ]),
  };
}
