/**
 * PutInsightSelectors and GetInsightSelectors for trails and event data stores, with the acceptance rules of
 * `com.amazonaws.cloudtrail#PutInsightSelectors`,
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutInsightSelectors.html and
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-CLI-enable.html: full replacement (an
 * empty list disables), target selection, the management- and data-event prerequisites, the Insight-category
 * destination of the same account, the management-account-only organization store, and a trail's bucket and key health.
 */
import { fail, SimError } from '../errors';
import type { EdsRec, InsightSelectorRec, TrailRec } from '../state';
import { EDS_ARN, findStore, findTrail, storeLogged, trailLogged, writableStore, writableTrail, type CallContext, type Logged, type Operation } from './common';
import { isInsightStore } from './event-data-stores';

const present = (v: unknown) => v !== undefined && v !== null;

/**
 * ApiCallRateInsight needs write management events, ApiErrorRateInsight read or write
 * (`com.amazonaws.cloudtrail#PutInsightSelectors`); Data-category Insights need data events and exist on trails only.
 * The exact error for a trail is UNVERIFIED; InvalidInsightSelectorsException is the closest modeled one.
 */
function checkPrerequisites(selectors: InsightSelectorRec[], l: Logged, kind: 'trail' | 'eventDataStore'): void {
  const seen = new Set<string>();
  for (const s of selectors) {
    if (seen.has(s.InsightType)) fail('InvalidInsightSelectorsException', `The Insights type ${s.InsightType} is specified more than once.`);
    seen.add(s.InsightType);
    const cats = s.EventCategories ?? ['Management'];
    if (cats.length === 0) fail('InvalidInsightSelectorsException', 'EventCategories must not be empty.');
    if (cats.includes('Data')) {
      if (kind === 'eventDataStore') fail('InvalidInsightSelectorsException', 'Insights on data events are not supported on event data stores. For event data stores, you can only enable Insights on management events.');
      if (!l.dataEvents) fail('InvalidInsightSelectorsException', 'To log CloudTrail Insights on data events, the trail must log read or write data events.');
    }
    if (cats.includes('Management')) {
      if (s.InsightType === 'ApiCallRateInsight' && !l.managementWrite)
        fail('InvalidInsightSelectorsException', `ApiCallRateInsight requires the ${kind === 'trail' ? 'trail' : 'event data store'} to log write management events.`);
      if (s.InsightType === 'ApiErrorRateInsight' && !l.managementRead && !l.managementWrite)
        fail('InvalidInsightSelectorsException', `ApiErrorRateInsight requires the ${kind === 'trail' ? 'trail' : 'event data store'} to log read or write management events.`);
    }
  }
}

/**
 * Trail Insights are written to the trail's bucket under /CloudTrail-Insight
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-understanding.html).
 */
function checkDelivery(t: TrailRec): void {
  if (t.s3 === 'missing') fail('S3BucketDoesNotExistException', `S3 bucket ${t.s3BucketName} does not exist.`);
  if (t.s3 === 'accessDenied') fail('InsufficientS3BucketPolicyException', `Incorrect S3 bucket policy is detected for bucket: ${t.s3BucketName}`);
  if (t.kms === 'broken') fail('InsufficientEncryptionPolicyException', `Insufficient permissions to access S3 bucket ${t.s3BucketName} or KMS key ${t.kmsKeyId ?? ''}.`);
}

function putOnTrail(selectors: InsightSelectorRec[], input: Record<string, unknown>, ctx: CallContext) {
  const t = writableTrail(ctx, input.TrailName);
  if (selectors.length > 0) {
    checkPrerequisites(selectors, trailLogged(t), 'trail');
    checkDelivery(t);
  }
  t.insightSelectors = selectors; // a full replacement, not a merge (`com.amazonaws.cloudtrail#PutInsightSelectors`; moto appends)
  return { TrailARN: t.arn, InsightSelectors: t.insightSelectors };
}

/**
 * The destination: "The source and destination event data stores must belong to the same AWS account"
 * (`com.amazonaws.cloudtrail#PutInsightSelectorsRequest$InsightsDestination`) is the only rule AWS documents, so an
 * ARN may name a store of the source's account homed in another Region; an id suffix names one in the caller's Region
 * (it carries no Region). Whether AWS accepts a destination in another Region is UNVERIFIED: the simulator follows the
 * documented rule and refuses nothing it does not state.
 */
function destinationStore(ctx: CallContext, id: unknown, source: EdsRec): EdsRec {
  if (typeof id === 'string' && id.startsWith('arn:')) {
    const m = EDS_ARN.exec(id);
    if (m && m[1] !== ctx.region && m[2] === source.account) {
      const there = ctx.state.visibleStores(source.account, m[1]!).find((x) => x.arn === id);
      if (there) return there;
    }
  }
  return findStore(ctx, id);
}

function putOnStore(selectors: InsightSelectorRec[], input: Record<string, unknown>, ctx: CallContext) {
  const s: EdsRec = writableStore(ctx, input.EventDataStore, 'insights');
  if (s.status === 'PENDING_DELETION') fail('InactiveEventDataStoreException', `Event data store ${s.arn} is pending deletion.`);
  if (selectors.length === 0) {
    // Disabling takes no destination (the example in
    // https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutInsightSelectors.html).
    s.insightSelectors = [];
    delete s.insightsDestination;
    return { EventDataStoreArn: s.arn, InsightSelectors: [] };
  }
  // "you must provide both" EventDataStore and InsightsDestination to enable
  // (`com.amazonaws.cloudtrail#PutInsightSelectorsRequest$InsightsDestination`).
  if (!present(input.InsightsDestination)) fail('InvalidParameterCombinationException', 'You must specify both EventDataStore and InsightsDestination to enable Insights on an event data store.');
  if (isInsightStore(s)) fail('InvalidInsightSelectorsException', 'An Insights event data store cannot be the source of Insights.');
  const l = storeLogged(s);
  if (!l.categories.has('Management')) fail('InvalidInsightSelectorsException', 'The source event data store must log management events.');
  checkPrerequisites(selectors, l, 'eventDataStore');
  const dest = destinationStore(ctx, input.InsightsDestination, s);
  if (dest.account !== s.account) fail('InvalidInsightSelectorsException', 'The source and destination event data stores must belong to the same AWS account.');
  if (!isInsightStore(dest)) fail('InvalidInsightSelectorsException', `The destination event data store ${dest.arn} must log eventCategory Insight.`);
  if (dest.status === 'PENDING_DELETION') fail('InactiveEventDataStoreException', `Event data store ${dest.arn} is pending deletion.`);
  s.insightSelectors = selectors;
  s.insightsDestination = dest.arn;
  return { EventDataStoreArn: s.arn, InsightsDestination: dest.arn, InsightSelectors: selectors };
}

/**
 * PutInsightSelectors and GetInsightSelectors answer only errors their models list
 * (`com.amazonaws.cloudtrail#PutInsightSelectors`, `#GetInsightSelectors`): neither lists EventDataStoreNotFoundException,
 * EventDataStoreARNInvalidException nor InactiveEventDataStoreException, so a store that does not exist, a malformed
 * store ARN or a store pending deletion is the modeled InvalidParameterException ("The request includes a parameter that
 * is not valid"; which modeled error AWS picks is UNVERIFIED).
 */
function modeled<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof SimError && ['EventDataStoreNotFoundException', 'EventDataStoreARNInvalidException', 'InactiveEventDataStoreException'].includes(e.code))
      throw new SimError('InvalidParameterException', e.message);
    throw e;
  }
}

export const putInsightSelectors: Operation = (input, ctx) => modeled(() => putInsightSelectorsUnmapped(input, ctx));
export const getInsightSelectors: Operation = (input, ctx) => modeled(() => getInsightSelectorsUnmapped(input, ctx));

const putInsightSelectorsUnmapped: Operation = (input, ctx) => {
  const trail = present(input.TrailName);
  const store = present(input.EventDataStore);
  // "You cannot use this parameter with the EventDataStore and InsightsDestination parameters"
  // (`com.amazonaws.cloudtrail#PutInsightSelectorsRequest$TrailName`; the error is INFERRED).
  if (trail && (store || present(input.InsightsDestination))) fail('InvalidParameterCombinationException', 'You cannot specify TrailName together with EventDataStore or InsightsDestination.');
  if (!trail && !store) fail('InvalidParameterCombinationException', 'You must specify either TrailName or EventDataStore.');
  const selectors = input.InsightSelectors as InsightSelectorRec[];
  return trail ? putOnTrail(selectors, input, ctx) : putOnStore(selectors, input, ctx);
};

/**
 * Not enabled: InsightNotEnabledException, for trails and (per the model) event data stores
 * (`com.amazonaws.cloudtrail#InsightNotEnabledException`).
 */
const getInsightSelectorsUnmapped: Operation = (input, ctx) => {
  const trail = present(input.TrailName);
  const store = present(input.EventDataStore);
  if (trail && store) fail('InvalidParameterCombinationException', 'You cannot specify TrailName and EventDataStore together.');
  if (!trail && !store) fail('InvalidParameterCombinationException', 'You must specify either TrailName or EventDataStore.');
  if (trail) {
    const t = findTrail(ctx, input.TrailName);
    if (t.insightSelectors.length === 0)
      fail('InsightNotEnabledException', `Trail ${t.arn} does not have Insights enabled. Edit the trail settings to enable Insights, and then try the operation again.`);
    return { TrailARN: t.arn, InsightSelectors: t.insightSelectors };
  }
  const s = findStore(ctx, input.EventDataStore);
  if (s.insightSelectors.length === 0) fail('InsightNotEnabledException', `Event data store ${s.arn} does not have Insights enabled.`);
  return { EventDataStoreArn: s.arn, InsightsDestination: s.insightsDestination, InsightSelectors: s.insightSelectors };
};
