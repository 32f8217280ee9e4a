/**
 * The normalized shape of an Insights source: a CloudTrail trail or a CloudTrail Lake event data store,
 * as observed from one account and region. Pure types; no @aws-sdk imports.
 *
 * Selector and Insights shapes keep CloudTrail's API member names (Smithy shapes
 * `com.amazonaws.cloudtrail#EventSelector`, `com.amazonaws.cloudtrail#AdvancedEventSelector`,
 * `com.amazonaws.cloudtrail#InsightSelector`) so a planned action's input is exactly the request the SDK will send.
 */

export const INSIGHT_TYPES = ['ApiCallRateInsight', 'ApiErrorRateInsight'] as const;
export type InsightType = (typeof INSIGHT_TYPES)[number];

/**
 * Categories of events an Insights type analyzes (`com.amazonaws.cloudtrail#InsightSelector$EventCategories`). `Data`
 * exists on trails only (`com.amazonaws.cloudtrail#PutInsightSelectors`).
 */
export const INSIGHT_EVENT_CATEGORIES = ['Management', 'Data'] as const;
export type InsightEventCategory = (typeof INSIGHT_EVENT_CATEGORIES)[number];

export interface InsightSelector {
  InsightType: InsightType;
  /** Absent means Management only (`com.amazonaws.cloudtrail#InsightSelector$EventCategories`). */
  EventCategories?: InsightEventCategory[];
}

export type ReadWriteType = 'ReadOnly' | 'WriteOnly' | 'All';

export interface DataResource {
  Type: string;
  Values?: string[];
}

export interface BasicEventSelector {
  /** Absent means All (`com.amazonaws.cloudtrail#EventSelector$ReadWriteType`). */
  ReadWriteType?: ReadWriteType;
  /** Absent means true (`com.amazonaws.cloudtrail#EventSelector$IncludeManagementEvents`). */
  IncludeManagementEvents?: boolean;
  DataResources?: DataResource[];
  ExcludeManagementEventSources?: string[];
}

export interface AdvancedFieldSelector {
  Field: string;
  Equals?: string[];
  StartsWith?: string[];
  EndsWith?: string[];
  NotEquals?: string[];
  NotStartsWith?: string[];
  NotEndsWith?: string[];
}

export interface AdvancedEventSelector {
  Name?: string;
  FieldSelectors: AdvancedFieldSelector[];
}

/**
 * A trail uses basic or advanced selectors, never both: applying one overwrites the other
 * (`com.amazonaws.cloudtrail#PutEventSelectors`).
 */
export type TrailEventSelectors =
  | { kind: 'basic'; selectors: BasicEventSelector[] }
  | { kind: 'advanced'; selectors: AdvancedEventSelector[] };

export type EventDataStoreStatus =
  | 'CREATED'
  | 'ENABLED'
  | 'PENDING_DELETION'
  | 'STARTING_INGESTION'
  | 'STOPPING_INGESTION'
  | 'STOPPED_INGESTION';

export type Tags = Readonly<Record<string, string>>;

interface SourceIdentity {
  /**
   * Full ARN; its account is the owner (organization resources carry the management account:
   * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html).
   */
  arn: string;
  name: string;
  /** Owner account, from the ARN. */
  accountId: string;
  /** The account whose credentials read this copy, and would write it. */
  observedFromAccountId: string;
  /** The region this copy was read in. */
  region: string;
  /**
   * The region the source was created in; writes must go there (`com.amazonaws.cloudtrail#InvalidHomeRegionException`).
   */
  homeRegion: string;
  multiRegion: boolean;
  /** An organization trail (`IsOrganizationTrail`) or organization event data store (`OrganizationEnabled`). */
  organizationOwned: boolean;
  /** Tags, when the policy selects sources by tag; undefined means not read. */
  tags?: Tags;
  insightSelectors: InsightSelector[];
}

export interface TrailState extends SourceIdentity {
  kind: 'trail';
  eventSelectors: TrailEventSelectors;
  /** `GetTrailStatus.IsLogging`. */
  isLogging: boolean;
  /** ISO timestamps from GetTrailStatus, when known. */
  startLoggingTime?: string;
  stopLoggingTime?: string;
  /**
   * `GetTrailStatus.LatestDeliveryError`, when the trail cannot write to its S3 bucket or KMS key. Trail Insights are
   * written to the same bucket
   * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-understanding.html), so
   * PutInsightSelectors fails too (the error list of `com.amazonaws.cloudtrail#PutInsightSelectors`).
   */
  latestDeliveryError?: string;
}

export interface EventDataStoreState extends SourceIdentity {
  kind: 'eventDataStore';
  status: EventDataStoreStatus;
  advancedEventSelectors: AdvancedEventSelector[];
  /**
   * ARN of the Insights destination store, when Insights are on
   * (`com.amazonaws.cloudtrail#PutInsightSelectorsRequest$InsightsDestination`).
   */
  insightsDestination?: string;
  createdTimestamp?: string;
  updatedTimestamp?: string;
}

export type SourceState = TrailState | EventDataStoreState;
export type SourceKind = SourceState['kind'];

/** Which source a finding is about: identity only, no state. */
export type SourceRef = Pick<SourceState, 'kind' | 'arn' | 'name' | 'accountId' | 'observedFromAccountId' | 'region' | 'homeRegion'>;

/** What the decision needs to know about the other event data stores of the source's owner account. */
export interface EventDataStoreSummary {
  arn: string;
  name: string;
  accountId: string;
  region: string;
  status: EventDataStoreStatus;
  /**
   * `eventCategory` values its selectors log, e.g. ['Insight'] for an Insights destination
   * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-CLI-enable.html).
   */
  eventCategories: string[];
}

/** Facts about the surroundings of a source that the decision depends on. */
export interface DecisionContext {
  /**
   * The organization's management account: the only writer of organization resources
   * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html).
   */
  managementAccountId: string;
  /** Event data stores of the source's owner account, in every region read; used to pick and check destinations. */
  eventDataStoresInAccount: EventDataStoreSummary[];
  /** Destinations that could not be read: kept as they are, never judged invalid. */
  unreadDestinations?: readonly string[];
  /** The organization path of the owner account (root id, then OU ids), for OU scoping. */
  accountOuPath?: string[];
}
