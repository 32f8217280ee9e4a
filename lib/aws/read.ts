/**
 * Reads an account-region (or one source in it) into the decision model with the fewest CloudTrail calls:
 * DescribeTrails once (shadow copies come with it and are not read further); GetTrailStatus for each selected home
 * trail, GetEventSelectors only when HasCustomEventSelectors, GetInsightSelectors only when HasInsightSelectors;
 * ListEventDataStores once (up to 1,000 a page), GetEventDataStore for each store (destinations need their
 * categories), GetInsightSelectors only for selected stores that can be Insights sources; ListTags only when the
 * policy selects by tag. No fact is read twice.
 *
 * Calls for a compliant account-region with t home trails (t_c with custom selectors) and s stores (s_m of them
 * management-event sources): 2 + 2t + t_c + s + s_m.
 */
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventDataStoreCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  paginateListEventDataStores,
  type AdvancedEventSelector as SdkAdvanced,
  type EventSelector as SdkBasic,
  type InsightSelector as SdkInsight,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import type { PermissionScope } from '../domain/actions';
import { parseCloudTrailArn } from '../domain/arn';
import { advancedCoverage } from '../domain/event-selectors';
import { channelsOf } from '../domain/insight-channels';
import type { AdvancedEventSelector, BasicEventSelector, EventDataStoreState, EventDataStoreStatus, EventDataStoreSummary, InsightSelector, SourceKind, Tags, TrailState } from '../domain/model';
import { policyNeedsTags, regionScope, regionsInScope, sourceSelection } from '../domain/scope';
import type { Policy } from '../policy/schema';

export interface ShadowCopy {
  kind: SourceKind;
  arn: string;
  name: string;
  ownerAccountId: string;
  homeRegion: string;
  organization: boolean;
  /** From DescribeTrails: whether the trail has Insights selectors at all (any type, any category). */
  hasInsightSelectors: boolean;
  /**
   * The home trail as read by its ARN, for a trail homed outside the policy's regions (no account-region of the run
   * reads it): whether it is logging and analyzes management events. Absent when not read.
   */
  home?: { isLogging: boolean; analyzesManagement: boolean };
}

export interface NotSelected {
  kind: SourceKind;
  arn: string;
  name: string;
  reason: string;
}

export interface AccountRegionRead {
  accountId: string;
  region: string;
  sources: (TrailState | EventDataStoreState)[];
  shadows: ShadowCopy[];
  notSelected: NotSelected[];
  /**
   * Every store of the account seen in this region, and the Insights destinations of its sources found in other regions
   * (read by ARN): candidates and checks for Insights destinations.
   */
  eventDataStores: EventDataStoreSummary[];
  /** Destinations of this region's sources that could not be read (denied, throttled): never judged, never moved. */
  unreadDestinations?: string[];
}

export interface ReadOptions {
  /** Read only these sources in detail (an event names one; verification the written ones); the rest is listed, not read. */
  only?: ReadonlySet<string>;
  /** A client of the same account in another region, for an Insights destination homed there. */
  clientFor?: (region: string) => CloudTrailClient;
}

/**
 * The IAM permission of every CloudTrail call this reader makes, keyed by operation, and what it is scoped to
 * (lib/domain/actions.ts PermissionScope). The member role and the management functions' roles grant exactly these
 * (test/unit/infra/iam.test.ts, which also checks this table against the commands sent below). Member accounts list
 * Only the owner's stores are read: members never see an organization store
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-lake-organizations.html), and a delegated
 * administrator that does is not where it is judged or repaired (the management account is).
 */
export const READ_PERMISSIONS: Readonly<Record<string, { action: string; scope: readonly PermissionScope[] }>> = {
  DescribeTrails: { action: 'cloudtrail:DescribeTrails', scope: ['*'] },
  GetTrailStatus: { action: 'cloudtrail:GetTrailStatus', scope: ['trail'] },
  GetEventSelectors: { action: 'cloudtrail:GetEventSelectors', scope: ['trail'] },
  GetInsightSelectors: { action: 'cloudtrail:GetInsightSelectors', scope: ['trail', 'eventdatastore'] },
  ListEventDataStores: { action: 'cloudtrail:ListEventDataStores', scope: ['*'] },
  GetEventDataStore: { action: 'cloudtrail:GetEventDataStore', scope: ['eventdatastore'] },
  ListTags: { action: 'cloudtrail:ListTags', scope: ['trail', 'eventdatastore'] },
};

const iso = (d: Date | undefined) => d?.toISOString();
const toInsights = (list: SdkInsight[] | undefined): InsightSelector[] =>
  (list ?? []).filter((s): s is SdkInsight & { InsightType: InsightSelector['InsightType'] } => s.InsightType === 'ApiCallRateInsight' || s.InsightType === 'ApiErrorRateInsight').map((s) => ({
    InsightType: s.InsightType,
    ...(s.EventCategories && { EventCategories: s.EventCategories as InsightSelector['EventCategories'] }),
  }));
const toAdvanced = (list: SdkAdvanced[] | undefined): AdvancedEventSelector[] => (list ?? []) as AdvancedEventSelector[];
/**
 * "trails created without specific event selectors ... log all read and write management events"
 * (`com.amazonaws.cloudtrail#PutEventSelectors`).
 */
const DEFAULT_BASIC: SdkBasic[] = [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }];

async function insightSelectors(client: CloudTrailClient, target: { TrailName: string } | { EventDataStore: string }): Promise<{ selectors: InsightSelector[]; destination?: string }> {
  try {
    const out = await client.send(new GetInsightSelectorsCommand(target));
    return { selectors: toInsights(out.InsightSelectors), ...(out.InsightsDestination && { destination: out.InsightsDestination }) };
  } catch (e) {
    // Not enabled is an answer, not an error (`com.amazonaws.cloudtrail#InsightNotEnabledException`).
    if ((e as Error).name === 'InsightNotEnabledException') return { selectors: [] };
    throw e;
  }
}

async function tagsOf(client: CloudTrailClient, arns: string[]): Promise<Map<string, Tags>> {
  const out = new Map<string, Tags>();
  for (let i = 0; i < arns.length; i += 20) {
    const res = await client.send(new ListTagsCommand({ ResourceIdList: arns.slice(i, i + 20) })); // at most 20 a call
    for (const r of res.ResourceTagList ?? []) out.set(r.ResourceId!, Object.fromEntries((r.TagsList ?? []).map((t) => [t.Key!, t.Value ?? ''])));
  }
  return out;
}

export async function readAccountRegion(client: CloudTrailClient, policy: Policy, where: { accountId: string; region: string }, options: ReadOptions = {}): Promise<AccountRegionRead> {
  const { accountId, region } = where;
  const result: AccountRegionRead = { accountId, region, sources: [], shadows: [], notSelected: [], eventDataStores: [] };
  const only = options.only;
  const wanted = (arn: string) => only === undefined || only.has(arn);
  const kinds = only && new Set([...only].map((arn) => parseCloudTrailArn(arn)?.resourceType));
  if (policy.trails.enabled && (!kinds || kinds.has('trail'))) {
    await readTrails(client, policy, where, wanted, result);
    if (!only) await readHomesOutsideThePolicy(client, policy, where, result);
  }
  if (policy.eventDataStores.enabled && (!kinds || kinds.has('eventdatastore'))) {
    await readStores(client, policy, where, wanted, result);
    await readDestinationsElsewhere(options.clientFor ?? (() => client), result);
  }
  return result;
}

/**
 * A source's Insights destination may be a store of the same account in another region (AWS requires only the same
 * account: `com.amazonaws.cloudtrail#PutInsightSelectorsRequest$InsightsDestination`). ListEventDataStores is regional,
 * so such a destination is read by its ARN, in its region: one GetEventDataStore settles whether it is valid. One that
 * cannot be read is never called invalid (moving it would restart the 7-day window for nothing).
 */
async function readDestinationsElsewhere(clientFor: (region: string) => CloudTrailClient, result: AccountRegionRead): Promise<void> {
  const known = new Set(result.eventDataStores.map((s) => s.arn));
  const elsewhere = new Set<string>();
  for (const s of result.sources) {
    if (s.kind !== 'eventDataStore' || s.insightsDestination === undefined || known.has(s.insightsDestination)) continue;
    const parsed = parseCloudTrailArn(s.insightsDestination);
    if (parsed && parsed.accountId === result.accountId && parsed.region !== result.region && parsed.resourceType === 'eventdatastore') elsewhere.add(s.insightsDestination);
  }
  for (const arn of elsewhere) {
    const region = parseCloudTrailArn(arn)!.region;
    try {
      const s = await clientFor(region).send(new GetEventDataStoreCommand({ EventDataStore: arn }));
      result.eventDataStores.push({ arn, name: s.Name!, accountId: result.accountId, region, status: s.Status as EventDataStoreStatus, eventCategories: advancedCoverage(toAdvanced(s.AdvancedEventSelectors)).categories });
    } catch (e) {
      if ((e as Error).name === 'EventDataStoreNotFoundException') continue; // gone: invalid, as AWS would say
      result.unreadDestinations = [...(result.unreadDestinations ?? []), arn];
    }
  }
}

async function readTrails(client: CloudTrailClient, policy: Policy, where: { accountId: string; region: string }, wanted: (arn: string) => boolean, result: AccountRegionRead): Promise<void> {
  const { accountId, region } = where;
  const trails = (await client.send(new DescribeTrailsCommand({}))).trailList ?? [];
  const home: Trail[] = [];
  for (const t of trails) {
    const owner = parseCloudTrailArn(t.TrailARN ?? '')?.accountId ?? accountId;
    if (t.HomeRegion === region && owner === accountId) home.push(t);
    else result.shadows.push({ kind: 'trail', arn: t.TrailARN!, name: t.Name!, ownerAccountId: owner, homeRegion: t.HomeRegion!, organization: t.IsOrganizationTrail === true, hasInsightSelectors: t.HasInsightSelectors === true });
  }
  const candidates = home.filter((t) => wanted(t.TrailARN!));
  const tags = policyNeedsTags(policy, 'trail') && candidates.length ? await tagsOf(client, candidates.map((t) => t.TrailARN!)) : undefined;
  for (const t of candidates) {
    const arn = t.TrailARN!;
    const trailTags = tags?.get(arn) ?? (tags ? {} : undefined);
    const selected = sourceSelection(policy, { kind: 'trail', name: t.Name!, tags: trailTags });
    if (!selected.inScope) {
      result.notSelected.push({ kind: 'trail', arn, name: t.Name!, reason: selected.reason });
      continue;
    }
    const status = await client.send(new GetTrailStatusCommand({ Name: arn }));
    const selectors = t.HasCustomEventSelectors ? await client.send(new GetEventSelectorsCommand({ TrailName: arn })) : { EventSelectors: DEFAULT_BASIC, AdvancedEventSelectors: undefined };
    const insights = t.HasInsightSelectors ? await insightSelectors(client, { TrailName: arn }) : { selectors: [] };
    result.sources.push({
      kind: 'trail',
      arn,
      name: t.Name!,
      accountId,
      observedFromAccountId: accountId,
      region,
      homeRegion: t.HomeRegion!,
      multiRegion: t.IsMultiRegionTrail === true,
      organizationOwned: t.IsOrganizationTrail === true,
      ...(trailTags && { tags: trailTags }),
      insightSelectors: insights.selectors,
      eventSelectors: selectors.AdvancedEventSelectors?.length
        ? { kind: 'advanced', selectors: toAdvanced(selectors.AdvancedEventSelectors) }
        : { kind: 'basic', selectors: (selectors.EventSelectors ?? []) as BasicEventSelector[] },
      isLogging: status.IsLogging === true,
      ...(status.StartLoggingTime && { startLoggingTime: iso(status.StartLoggingTime) }),
      ...(status.StopLoggingTime && { stopLoggingTime: iso(status.StopLoggingTime) }),
      ...(status.LatestDeliveryError && { latestDeliveryError: status.LatestDeliveryError }),
    });
  }
}

/**
 * A trail copy says only `HasInsightSelectors`: Data-only Insights, or a home trail that stopped logging, say yes too.
 * A trail homed in a region the policy does not sweep is read here by its ARN (GetTrailStatus and GetInsightSelectors
 * accept a trail ARN from another region: `com.amazonaws.cloudtrail#GetTrailStatusRequest$Name`), once per run: by
 * its owner account only, in the first of the policy's regions, so 2 calls per such trail per sweep.
 */
async function readHomesOutsideThePolicy(client: CloudTrailClient, policy: Policy, where: { accountId: string; region: string }, result: AccountRegionRead): Promise<void> {
  const first = [...regionsInScope(policy)].sort()[0];
  if (where.region !== first) return;
  for (const s of result.shadows) {
    if (s.kind !== 'trail' || !s.hasInsightSelectors || s.ownerAccountId !== where.accountId || regionScope(policy, s.homeRegion).inScope) continue;
    try {
      const status = await client.send(new GetTrailStatusCommand({ Name: s.arn }));
      const insights = await insightSelectors(client, { TrailName: s.arn });
      s.home = { isLogging: status.IsLogging === true, analyzesManagement: [...channelsOf(insights.selectors)].some((c) => c.endsWith(':Management')) };
    } catch {
      // Unread: counted on HasInsightSelectors as before (never a write on a carrier the run cannot see).
    }
  }
}

async function readStores(client: CloudTrailClient, policy: Policy, where: { accountId: string; region: string }, wanted: (arn: string) => boolean, result: AccountRegionRead): Promise<void> {
  const { accountId, region } = where;
  const listed: { arn: string; name: string }[] = [];
  for await (const page of paginateListEventDataStores({ client, pageSize: 1000 }, {})) for (const s of page.EventDataStores ?? []) listed.push({ arn: s.EventDataStoreArn!, name: s.Name! });
  const ownerOf = (arn: string) => parseCloudTrailArn(arn)?.accountId ?? accountId;
  const tags = policyNeedsTags(policy, 'eventDataStore') ? await tagsOf(client, listed.filter((s) => wanted(s.arn) && ownerOf(s.arn) === accountId).map((s) => s.arn)) : undefined;
  for (const { arn, name } of listed) {
    const owner = ownerOf(arn);
    if (owner !== accountId) {
      // An organization store seen by a delegated administrator: judged and repaired from the management account, which
      // owns it (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html);
      // an Insights destination must be a store of the source's own account, so it is no candidate here either.
      if (wanted(arn)) result.shadows.push({ kind: 'eventDataStore', arn, name, ownerAccountId: owner, homeRegion: region, organization: true, hasInsightSelectors: false });
      continue;
    }
    const s = await client.send(new GetEventDataStoreCommand({ EventDataStore: arn }));
    const selectors = toAdvanced(s.AdvancedEventSelectors);
    const coverage = advancedCoverage(selectors);
    const status = s.Status as EventDataStoreStatus;
    result.eventDataStores.push({ arn, name: s.Name!, accountId: owner, region, status, eventCategories: coverage.categories });
    if (!wanted(arn)) continue;
    const storeTags = tags?.get(arn) ?? (tags ? {} : undefined);
    const selected = sourceSelection(policy, { kind: 'eventDataStore', name: s.Name!, tags: storeTags });
    if (!selected.inScope) {
      result.notSelected.push({ kind: 'eventDataStore', arn, name: s.Name!, reason: selected.reason });
      continue;
    }
    // Only a live store that logs management events can carry Insights; asking the others costs a call for nothing.
    const canBeSource = coverage.anyManagement && !coverage.categories.includes('Insight') && status !== 'PENDING_DELETION';
    const insights = canBeSource ? await insightSelectors(client, { EventDataStore: arn }) : { selectors: [] };
    result.sources.push({
      kind: 'eventDataStore',
      arn,
      name: s.Name!,
      accountId,
      observedFromAccountId: accountId,
      region,
      homeRegion: region,
      multiRegion: s.MultiRegionEnabled === true,
      organizationOwned: s.OrganizationEnabled === true,
      ...(storeTags && { tags: storeTags }),
      status,
      advancedEventSelectors: selectors,
      insightSelectors: insights.selectors,
      ...(insights.destination && { insightsDestination: insights.destination }),
      ...(s.CreatedTimestamp && { createdTimestamp: iso(s.CreatedTimestamp) }),
      ...(s.UpdatedTimestamp && { updatedTimestamp: iso(s.UpdatedTimestamp) }),
    });
  }
}
