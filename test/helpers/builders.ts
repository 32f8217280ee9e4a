// Builders for domain objects in tests: a sensible compliant default, overridden per test.
import type { DecisionContext, EventDataStoreState, EventDataStoreSummary, TrailState } from '../../lib/domain/model';
import { validatePolicy } from '../../lib/policy/load';
import type { Policy, PolicyInput } from '../../lib/policy/schema';

export const MANAGEMENT = '111111111111';
export const MEMBER = '222222222222';
export const NOW = new Date('2026-11-21T12:00:00.000Z');
export const HOURS = (n: number) => n * 3_600_000;
export const ago = (ms: number, from = NOW) => new Date(from.getTime() - ms).toISOString();

export const trailArn = (name: string, account = MEMBER, region = 'us-east-1') => `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;
export const storeArn = (id: string, account = MEMBER, region = 'us-east-1') => `arn:aws:cloudtrail:${region}:${account}:eventdatastore/${id}`;

export const BOTH_INSIGHTS = [
  { InsightType: 'ApiCallRateInsight' as const },
  { InsightType: 'ApiErrorRateInsight' as const },
];

/** The identity fields of a home copy, owned and read by one account. */
function identity(name: string, accountId: string, homeRegion: string, arn: string) {
  return { arn, name, accountId, observedFromAccountId: accountId, region: homeRegion, homeRegion, multiRegion: true, organizationOwned: false, insightSelectors: BOTH_INSIGHTS };
}

export function aTrail(overrides: Partial<TrailState> = {}): TrailState {
  const name = overrides.name ?? 'main';
  const accountId = overrides.accountId ?? MEMBER;
  const homeRegion = overrides.homeRegion ?? 'us-east-1';
  return {
    kind: 'trail',
    ...identity(name, accountId, homeRegion, trailArn(name, accountId, homeRegion)),
    eventSelectors: { kind: 'basic', selectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] }] },
    isLogging: true,
    startLoggingTime: ago(HOURS(24 * 30)),
    ...overrides,
  };
}

export const INSIGHT_STORE = storeArn('insights-dest');
export const MGMT_SELECTOR = { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] };

export function aStore(overrides: Partial<EventDataStoreState> = {}): EventDataStoreState {
  const id = overrides.name ?? 'mgmt-store';
  const accountId = overrides.accountId ?? MEMBER;
  const homeRegion = overrides.homeRegion ?? 'us-east-1';
  return {
    kind: 'eventDataStore',
    ...identity(id, accountId, homeRegion, storeArn(id, accountId, homeRegion)),
    status: 'ENABLED',
    advancedEventSelectors: [MGMT_SELECTOR],
    insightsDestination: INSIGHT_STORE,
    ...overrides,
  };
}

export function anInsightStoreSummary(overrides: Partial<EventDataStoreSummary> = {}): EventDataStoreSummary {
  return { arn: INSIGHT_STORE, name: 'insights-dest', accountId: MEMBER, region: 'us-east-1', status: 'ENABLED', eventCategories: ['Insight'], ...overrides };
}

export function aContext(overrides: Partial<DecisionContext> = {}): DecisionContext {
  return { managementAccountId: MANAGEMENT, eventDataStoresInAccount: [anInsightStoreSummary()], ...overrides };
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

/**
 * A valid policy in enforce mode. Its objective defaults to everySource, unlike the product's (coverage): most suites
 * test what one source's decision and repair are, which everySource applies to every source; coverage suites say so.
 */
export function aPolicy(overrides: DeepPartial<PolicyInput> & Record<string, unknown> = {}): Policy {
  return validatePolicy({
    version: 1,
    mode: 'enforce',
    objective: 'everySource',
    ...overrides,
    scope: { regions: { include: ['us-east-1', 'eu-west-1'] }, ...(overrides.scope as object) },
  });
}
