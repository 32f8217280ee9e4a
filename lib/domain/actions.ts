/**
 * The writes a plan may contain: each is exactly one CloudTrail API call (operation + input as the SDK sends it),
 * the account and region it must be made from, why, and what it does to the Insights clock. Pure data.
 * Disabling calls (StopLogging, StopEventDataStoreIngestion, a shrinking PutInsightSelectors) do not exist here on
 * purpose: the product never plans them. The one exception is opt-in: `disableInsights` turns Insights off on a
 * redundant carrier (coverage.redundant disable), planned only by lib/domain/coverage-plan.ts.
 */
import { channelsOf, sortChannels } from './insight-channels';
import { applyClockEffect, type ClockEffect, type ClockFacts } from './insights-clock';
import type { AdvancedEventSelector, BasicEventSelector, InsightSelector } from './model';

interface ActionBase {
  /** The account whose credentials make the call: always the source's owner. */
  accountId: string;
  /**
   * The source's home region: writes elsewhere fail with InvalidHomeRegionException
   * (`com.amazonaws.cloudtrail#InvalidHomeRegionException`).
   */
  region: string;
  sourceArn: string;
  /** One line a person can read, e.g. "trail logs only read management events; ApiCallRateInsight needs write". */
  why: string;
}

/**
 * The PutInsightSelectors that follows a CreateEventDataStore in the same plan cannot know the new store's ARN: its
 * InsightsDestination names the store to be created with this text, and the executor (lib/aws/apply.ts) puts the ARN
 * from CreateEventDataStore's response in its place. The plan stays pure and shows what it will call.
 */
export const createdDestinationRef = (accountId: string, region: string, name: string): string => `(the event data store ${name} this plan creates in ${accountId} ${region})`;
export const isCreatedDestinationRef = (destination: string): boolean => destination.startsWith('(the event data store ');

/** The tag the product puts on the destinations it creates: how an event knows one (lib/pipeline/handle-event.ts). */
export const CREATED_DESTINATION_TAG = 'insights-remediator:destination';

export type Action =
  | (ActionBase & {
      kind: 'createInsightsDestination';
      operation: 'CreateEventDataStore';
      /** What the following PutInsightSelectors of this plan (or of another source sharing it) names as InsightsDestination. */
      creates: string;
      input: {
        Name: string;
        AdvancedEventSelectors: AdvancedEventSelector[];
        MultiRegionEnabled: boolean;
        OrganizationEnabled: boolean;
        RetentionPeriod: number;
        BillingMode: 'EXTENDABLE_RETENTION_PRICING' | 'FIXED_RETENTION_PRICING';
        TerminationProtectionEnabled: boolean;
        KmsKeyId?: string;
        TagsList: { Key: string; Value: string }[];
      };
    })
  | (ActionBase & {
      kind: 'putEventSelectors';
      operation: 'PutEventSelectors';
      input: { TrailName: string; EventSelectors: BasicEventSelector[] } | { TrailName: string; AdvancedEventSelectors: AdvancedEventSelector[] };
    })
  | (ActionBase & {
      kind: 'updateEventDataStoreSelectors';
      operation: 'UpdateEventDataStore';
      input: { EventDataStore: string; AdvancedEventSelectors: AdvancedEventSelector[] };
    })
  | (ActionBase & { kind: 'startLogging'; operation: 'StartLogging'; input: { Name: string } })
  | (ActionBase & { kind: 'startIngestion'; operation: 'StartEventDataStoreIngestion'; input: { EventDataStore: string } })
  | (ActionBase & {
      kind: 'putInsightSelectors';
      operation: 'PutInsightSelectors';
      input:
        | { TrailName: string; InsightSelectors: InsightSelector[] }
        | { EventDataStore: string; InsightsDestination: string; InsightSelectors: InsightSelector[] };
    })
  | (ActionBase & {
      kind: 'disableInsights';
      operation: 'PutInsightSelectors';
      /** An empty list turns Insights off (`com.amazonaws.cloudtrail#PutInsightSelectorsRequest$InsightSelectors`). */
      input: { TrailName: string; InsightSelectors: [] } | { EventDataStore: string; InsightSelectors: [] };
    });

export type ActionKind = Action['kind'];

/**
 * IAM actions each kind needs wherever it runs (IAM action = API name, prefix `cloudtrail:`:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html): the member role
 * (infra/member-account.yaml) and, for the management account's own sources, the function roles (template.yaml).
 * test/unit/infra/iam.test.ts holds both templates to this table and to REQUIRED_RESOURCES: nothing missing, nothing
 * extra.
 */
export const REQUIRED_PERMISSIONS: Readonly<Record<ActionKind, readonly string[]>> = {
  createInsightsDestination: ['cloudtrail:CreateEventDataStore'],
  putEventSelectors: ['cloudtrail:PutEventSelectors'],
  updateEventDataStoreSelectors: ['cloudtrail:UpdateEventDataStore'],
  startLogging: ['cloudtrail:StartLogging'],
  startIngestion: ['cloudtrail:StartEventDataStoreIngestion'],
  putInsightSelectors: ['cloudtrail:PutInsightSelectors'],
  disableInsights: ['cloudtrail:PutInsightSelectors'],
};

/**
 * What a CloudTrail grant is scoped to: the calling account's trails or event data stores (resource-level
 * permissions), or '*' for the actions CloudTrail authorizes on no resource (DescribeTrails, ListEventDataStores).
 * Every source is read and written in its owner's account.
 */
export type PermissionScope = 'trail' | 'eventdatastore' | '*';

/** The resources each kind writes: always a source of the calling account (repairs run in the owner's account). */
export const REQUIRED_RESOURCES: Readonly<Record<ActionKind, readonly PermissionScope[]>> = {
  createInsightsDestination: ['eventdatastore'],
  putEventSelectors: ['trail'],
  updateEventDataStoreSelectors: ['eventdatastore'],
  startLogging: ['trail'],
  startIngestion: ['eventdatastore'],
  putInsightSelectors: ['trail', 'eventdatastore'],
  disableInsights: ['trail', 'eventdatastore'],
};

/** What the action does to the Insights clock once it succeeds. */
export function clockEffectOfAction(action: Action): ClockEffect | undefined {
  switch (action.kind) {
    case 'putInsightSelectors':
      return {
        type: 'insightsSet',
        channels: sortChannels(channelsOf(action.input.InsightSelectors)),
        ...('InsightsDestination' in action.input && { destination: action.input.InsightsDestination }),
      };
    case 'disableInsights':
      return { type: 'insightsSet', channels: [] };
    case 'startLogging':
      return { type: 'loggingStarted', alwaysRestarts: false };
    case 'startIngestion':
      return { type: 'loggingStarted', alwaysRestarts: true };
    case 'putEventSelectors':
    case 'updateEventDataStoreSelectors':
    // A new destination starts no window: the source's own PutInsightSelectors that follows does.
    case 'createInsightsDestination':
      return undefined;
  }
}

/**
 * The clock facts after these writes, each at the moment CloudTrail accepted it when known (writes wait for their
 * budget, so a run's start would date a window seconds too early), else at `at`.
 */
export function clockAfter(facts: ClockFacts, writes: readonly { action: Action; at?: string }[], at: string): ClockFacts {
  let out = facts;
  for (const w of writes) {
    const effect = clockEffectOfAction(w.action);
    if (effect) out = applyClockEffect(out, effect, w.at ?? at);
  }
  return out;
}
