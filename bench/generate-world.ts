// Large organizations for benchmarks: N accounts x R regions, each account with a multi-region trail, a regional
// trail and a management-event store per region, and an Insights store; an organization trail over all of them.
import type { WorldInput } from '../sim/world';

export const REGIONS_17 = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2'];

export const accountId = (i: number) => String(100000000000 + i);

export function generateWorld(accounts: number, regions: string[]): WorldInput {
  const ids = Array.from({ length: accounts }, (_, i) => accountId(i));
  return {
    ...benchOrganization(ids),
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

const both = [{ InsightType: 'ApiCallRateInsight' as const }, { InsightType: 'ApiErrorRateInsight' as const }];
const insight = [{ Name: 'Insights', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Insight'] }] }];

/** The benchmark organization: the first account manages it, the others sit in one OU; the remediator's role everywhere. */
function benchOrganization(ids: string[]): Pick<WorldInput, 'version' | 'organization' | 'roles'> {
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
  };
}

/** The documented cost of reading a compliant account-region (docs/pipeline.md): 2 + 2t + t_c + s + s_m. */
export const minimumReads = (c: { t: number; tc: number; s: number; sm: number }) => 2 + 2 * c.t + c.tc + c.s + c.sm;

/**
 * A compliant organization, the steady state a scheduled sweep usually finds: in every account and region a logging
 * regional trail with both Insights types, a management-event store with both types delivering to the region's
 * Insights store; in the first region also each account's multi-region trail (its shadows elsewhere are not read) and
 * the organization trail. Returns the world and the documented minimum of CloudTrail calls per account-region.
 */
export function generateCompliantWorld(accounts: number, regions: string[]): { world: WorldInput; minimum: Map<string, number> } {
  const ids = Array.from({ length: accounts }, (_, i) => accountId(i));
  const minimum = new Map<string, number>();
  for (const [i, account] of ids.entries())
    for (const [r, region] of regions.entries()) minimum.set(`${account}/${region}`, minimumReads({ t: 1 + (r === 0 ? 1 : 0) + (r === 0 && i === 0 ? 1 : 0), tc: 0, s: 2, sm: 1 }));
  return {
    minimum,
    world: {
      ...benchOrganization(ids),
      trails: [
        { account: ids[0]!, name: 'org-trail', homeRegion: regions[0]!, organization: true, multiRegion: true, insightSelectors: both },
        ...ids.flatMap((account) => [
          { account, name: 'main', homeRegion: regions[0]!, multiRegion: true, insightSelectors: both },
          ...regions.map((homeRegion) => ({ account, name: `regional-${homeRegion}`, homeRegion, insightSelectors: both })),
        ]),
      ],
      eventDataStores: ids.flatMap((account) =>
        regions.flatMap((region) => [
          { account, region, id: `insights-${region}`, name: `insights-${region}`, advancedEventSelectors: insight },
          { account, region, id: `mgmt-${region}`, name: `mgmt-${region}`, insightSelectors: both, insightsDestination: `insights-${region}` },
        ]),
      ),
    },
  };
}

/**
 * An organization at the scale the sweep must cover (5,000 accounts x 17 regions): the organization trail with both
 * Insights types covers every account-region (members see its shadow, never read further), and each account keeps a
 * management-event store with Insights and its Insights store in the first region.
 */
export function generateOrganizationScaleWorld(accounts: number, regions: string[]): { world: WorldInput; minimum: Map<string, number> } {
  const ids = Array.from({ length: accounts }, (_, i) => accountId(i));
  const minimum = new Map<string, number>();
  for (const [i, account] of ids.entries())
    for (const [r, region] of regions.entries()) minimum.set(`${account}/${region}`, minimumReads({ t: r === 0 && i === 0 ? 1 : 0, tc: 0, s: r === 0 ? 2 : 0, sm: r === 0 ? 1 : 0 }));
  return {
    minimum,
    world: {
      ...benchOrganization(ids),
      trails: [{ account: ids[0]!, name: 'org-trail', homeRegion: regions[0]!, organization: true, multiRegion: true, insightSelectors: both }],
      eventDataStores: ids.flatMap((account) => [
        { account, region: regions[0]!, id: 'insights', name: 'insights', advancedEventSelectors: insight },
        { account, region: regions[0]!, id: 'mgmt', name: 'mgmt', insightSelectors: both, insightsDestination: 'insights' },
      ]),
    },
  };
}

/** The long-term key of the user who drifts an account's sources in the event benchmarks (not the product's role). */
export const driftUserKey = (account: string) => `AKIAUSER${account}`;

/**
 * A compliant organization for the event benchmarks: in every member account and region a logging single-region
 * trail `main-<region>` with both Insights types (never-configured event selectors: all management events), an
 * Insights store `insights-<region>` and a management-event store `mgmt-<region>` with both types delivering to it;
 * the organization trail (logging, both types) in the management account, so every account-region's CloudTrail
 * events reach EventBridge even after a user stops its own trail (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html). Each member account has a user (not the
 * product's role) whose drifting calls produce the events. The management account holds nothing else: the product
 * uses its credentials, and its own writes there would not look like its role's.
 */
export function generateDriftWorld(accounts: number, regions: string[]): WorldInput {
  const ids = Array.from({ length: accounts }, (_, i) => accountId(i));
  const members = ids.slice(1);
  return {
    ...benchOrganization(ids),
    principals: members.map((account) => ({ accessKeyId: driftUserKey(account), account, userName: 'mallory' })),
    trails: [
      { account: ids[0]!, name: 'org-trail', homeRegion: regions[0]!, organization: true, multiRegion: true, insightSelectors: both },
      ...members.flatMap((account) => regions.map((homeRegion) => ({ account, name: `main-${homeRegion}`, homeRegion, insightSelectors: both }))),
    ],
    eventDataStores: members.flatMap((account) =>
      regions.flatMap((region) => [
        { account, region, id: `insights-${region}`, name: `insights-${region}`, advancedEventSelectors: insight },
        { account, region, id: `mgmt-${region}`, name: `mgmt-${region}`, insightSelectors: both, insightsDestination: `insights-${region}` },
      ]),
    ),
  };
}

/**
 * The common organization shape the coverage objective is for: a multi-Region organization trail and, in every member
 * account, its own multi-Region trail, all logging management events, Insights off everywhere. Under coverage one
 * write (the organization trail) analyzes every account-region once; under everySource every trail is turned on and
 * billed, and each member account-region is analyzed twice.
 */
export function generateCarrierWorld(accounts: number, regions: string[], options: { insights?: 'off' | 'on' } = {}): WorldInput {
  const ids = Array.from({ length: accounts }, (_, i) => accountId(i));
  const insightSelectors = options.insights === 'on' ? both : [];
  return {
    ...benchOrganization(ids),
    trails: [
      { account: ids[0]!, name: 'org-trail', homeRegion: regions[0]!, organization: true, multiRegion: true, insightSelectors },
      ...ids.slice(1).map((account) => ({ account, name: 'account-trail', homeRegion: regions[0]!, multiRegion: true, insightSelectors })),
    ],
    eventDataStores: [],
  };
}

/**
 * The name an adversarial member admin gives a role of their own so that it looks like the product's event function
 * role (the real one, with this very name, lives in the management account; the name is readable there).
 */
export const LOOKALIKE_FUNCTION_ROLE = 'insights-remediator-OnCloudTrailChangeRole-1A2B3C4D';

/** The long-term key of an adversarial member admin (IAM user `eve` of the account). */
export const adversaryUserKey = (account: string) => `AKIAEVE${account}`;

/**
 * A drift world (generateDriftWorld) with adversarial member admins in `adversaries`: in each of those accounts the
 * product's member role also trusts the account itself (its admin edited the trust policy, so their own callers can
 * assume it), a role named like the product's event function role (LOOKALIKE_FUNCTION_ROLE) exists there, trusting
 * only the account, and the admin `eve` has a key of her own (adversaryUserKey).
 */
export function withAdversaries(world: WorldInput, adversaries: readonly string[], memberRoleName: string): WorldInput {
  const management = world.organization.managementAccount;
  return {
    ...world,
    // The simulator takes the first role of a name that exists in the account: the edited trust comes first.
    roles: [
      ...adversaries.map((account) => ({ name: memberRoleName, accounts: [account], trustedAccounts: [management, account] })),
      ...adversaries.map((account) => ({ name: LOOKALIKE_FUNCTION_ROLE, accounts: [account], trustedAccounts: [account] })),
      ...(world.roles ?? []),
    ],
    principals: [...(world.principals ?? []), ...adversaries.map((account) => ({ accessKeyId: adversaryUserKey(account), account, userName: 'eve' }))],
  };
}
