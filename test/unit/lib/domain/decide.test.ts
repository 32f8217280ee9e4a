import { decide, describeChannels, type Decision } from '../../../../lib/domain/decide';
import type { EventDataStoreState, TrailState } from '../../../../lib/domain/model';
import {
  aContext,
  anInsightStoreSummary,
  aPolicy,
  aStore,
  aTrail,
  ago,
  BOTH_INSIGHTS,
  HOURS,
  INSIGHT_STORE,
  MANAGEMENT,
  MEMBER,
  MGMT_SELECTOR,
  NOW,
  storeArn,
} from '../../../helpers/builders';

const S3_DATA = { Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::bucket/'] };
const policy = aPolicy();
const decideTrail = (over: Partial<TrailState>, p = policy, ctx = aContext()) => decide({ policy: p, source: aTrail(over), context: ctx, now: NOW });
const decideStore = (over: Partial<EventDataStoreState>, p = policy, ctx = aContext()) => decide({ policy: p, source: aStore(over), context: ctx, now: NOW });
const operations = (d: Decision) => d.actions.map((a) => a.operation);
const codes = (d: Decision) => d.finding.reasons.map((r) => r.code);
const blockerCodes = (d: Decision) => d.finding.blockers.map((b) => b.code);

describe('decide: nothing is written when the state satisfies the policy', () => {
  it('finds a trail with both Insights types on management events compliant and plans nothing', () => {
    const d = decideTrail({});
    expect(d.finding.status).toBe('compliant');
    expect(d.actions).toEqual([]);
    expect(d.finding.summary).toBe('Insights on (ApiCallRateInsight and ApiErrorRateInsight on Management)');
  });

  it('treats an omitted EventCategories as Management and a different selector order as the same state', () => {
    const d = decideTrail({ insightSelectors: [{ InsightType: 'ApiErrorRateInsight' }, { InsightType: 'ApiCallRateInsight' }] });
    expect(d.finding.status).toBe('compliant');
    expect(d.actions).toEqual([]);
  });

  it('keeps Insights types and categories beyond the policy, never disabling them', () => {
    const p = aPolicy({ trails: { insightTypes: ['ApiErrorRateInsight'] } });
    const d = decideTrail({ insightSelectors: [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Management', 'Data'] }, { InsightType: 'ApiErrorRateInsight' }], eventSelectors: { kind: 'basic', selectors: [{ DataResources: [S3_DATA] }] } }, p);
    expect(d.finding.status).toBe('compliant');
    expect(d.actions).toEqual([]);
  });

  it('finds a compliant event data store compliant and plans nothing', () => {
    const d = decideStore({});
    expect(d.finding.status).toBe('compliant');
    expect(d.actions).toEqual([]);
  });

  it('reports a freshly repaired trail as pending first delivery until 36 hours after the repair, not as drift', () => {
    const since = ago(HOURS(10));
    const d = decide({
      policy,
      source: aTrail({}),
      context: aContext(),
      clockFacts: { kind: 'trail', logging: 'on', channels: { 'ApiCallRateInsight:Management': { since, basis: 'enabled' }, 'ApiErrorRateInsight:Management': { since, basis: 'enabled' } } },
      now: NOW,
    });
    expect(d.finding.status).toBe('pending-first-delivery');
    expect(d.finding.pendingUntil).toBe('2026-11-22T14:00:00.000Z');
    expect(d.finding.summary).toBe('Insights on; trail delivery may take up to 36 hours: expected by 2026-11-22 14:00 UTC');
    expect(d.actions).toEqual([]);
  });

  it('reports an event data store enabled two days ago as pending for 7 days', () => {
    const since = ago(HOURS(48));
    const d = decide({
      policy,
      source: aStore({}),
      context: aContext(),
      clockFacts: { kind: 'eventDataStore', logging: 'on', destination: INSIGHT_STORE, channels: { 'ApiCallRateInsight:Management': { since, basis: 'enabled' }, 'ApiErrorRateInsight:Management': { since, basis: 'enabled' } } },
      now: NOW,
    });
    expect(d.finding.status).toBe('pending-first-delivery');
    expect(d.finding.pendingUntil).toBe('2026-11-26T12:00:00.000Z');
  });
});

describe('decide: Insights on trails', () => {
  it('enables both types on a trail with Insights off, in the minimal request (management is the default category)', () => {
    const d = decideTrail({ insightSelectors: [] });
    expect(d.finding.status).toBe('drifted');
    expect(codes(d)).toEqual(['insightsOff']);
    expect(d.actions).toEqual([
      {
        kind: 'putInsightSelectors',
        operation: 'PutInsightSelectors',
        accountId: MEMBER,
        region: 'us-east-1',
        sourceArn: aTrail().arn,
        why: 'enable ApiCallRateInsight and ApiErrorRateInsight on Management',
        input: { TrailName: aTrail().arn, InsightSelectors: BOTH_INSIGHTS },
      },
    ]);
  });

  it('adds ApiErrorRateInsight to a trail with only ApiCallRateInsight, keeping the full list', () => {
    const d = decideTrail({ insightSelectors: [{ InsightType: 'ApiCallRateInsight' }] });
    expect(codes(d)).toEqual(['insightChannelMissing']);
    expect(d.finding.summary).toBe('ApiErrorRateInsight on Management is off');
    expect(d.actions[0]?.input).toEqual({ TrailName: aTrail().arn, InsightSelectors: BOTH_INSIGHTS });
  });

  it('adds ApiErrorRateInsight when the trail logs only read events, without touching its selectors', () => {
    const p = aPolicy({ trails: { insightTypes: ['ApiErrorRateInsight'] } });
    const d = decideTrail({ insightSelectors: [], eventSelectors: { kind: 'basic', selectors: [{ ReadWriteType: 'ReadOnly' }] } }, p);
    expect(operations(d)).toEqual(['PutInsightSelectors']);
    expect(d.actions[0]?.input).toEqual({ TrailName: aTrail().arn, InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] });
  });

  it('widens read-only selectors first when ApiCallRateInsight needs write management events, keeping data resources', () => {
    const d = decideTrail({ insightSelectors: [], eventSelectors: { kind: 'basic', selectors: [{ ReadWriteType: 'ReadOnly', DataResources: [S3_DATA] }] } });
    expect(codes(d)).toEqual(['insightsOff', 'managementEventsNotLogged']);
    expect(d.finding.reasons[1]?.message).toBe('logs only read management events; ApiCallRateInsight needs write management events');
    expect(operations(d)).toEqual(['PutEventSelectors', 'PutInsightSelectors']);
    expect(d.actions[0]?.input).toEqual({
      TrailName: aTrail().arn,
      EventSelectors: [
        { ReadWriteType: 'ReadOnly', IncludeManagementEvents: false, DataResources: [S3_DATA] },
        { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
      ],
    });
  });

  it('repairs advanced trail selectors by adding a management selector next to data-event selectors', () => {
    const data = { Name: 'S3', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }] };
    const d = decideTrail({ eventSelectors: { kind: 'advanced', selectors: [data] } });
    expect(operations(d)).toEqual(['PutEventSelectors']);
    expect(d.actions[0]?.input).toEqual({ TrailName: aTrail().arn, AdvancedEventSelectors: [data, MGMT_SELECTOR] });
  });

  it('repairs selectors even when Insights are already on (someone narrowed them afterwards)', () => {
    const d = decideTrail({ eventSelectors: { kind: 'basic', selectors: [{ ReadWriteType: 'ReadOnly' }] } });
    expect(codes(d)).toEqual(['managementEventsNotLogged']);
    expect(operations(d)).toEqual(['PutEventSelectors']);
  });

  it('starts a stopped trail and says the restart costs a new 36-hour window', () => {
    const d = decideTrail({ isLogging: false, stopLoggingTime: ago(HOURS(2)) });
    expect(codes(d)).toEqual(['loggingStopped']);
    expect(d.finding.summary).toBe('logging is stopped since 2026-11-21 10:00 UTC: nothing is recorded or analyzed');
    expect(d.actions).toMatchObject([{ operation: 'StartLogging', input: { Name: aTrail().arn } }]);
    expect(d.clock.status).toBe('off');
    expect(d.projectedClock).toMatchObject({ status: 'pending-first-delivery', windowEnd: '2026-11-23T00:00:00.000Z' });
  });

  it('orders selector repair, then logging, then Insights', () => {
    const d = decideTrail({ isLogging: false, insightSelectors: [], eventSelectors: { kind: 'basic', selectors: [{ ReadWriteType: 'ReadOnly' }] } });
    expect(operations(d)).toEqual(['PutEventSelectors', 'StartLogging', 'PutInsightSelectors']);
  });

  it('writes to the home region from the owner account', () => {
    const d = decideTrail({ insightSelectors: [], homeRegion: 'eu-west-1', region: 'eu-west-1', arn: 'arn:aws:cloudtrail:eu-west-1:222222222222:trail/main' });
    expect(d.actions[0]).toMatchObject({ accountId: MEMBER, region: 'eu-west-1' });
  });

  it("warns of a trail's LatestDeliveryError and still enables Insights: AWS's own errors on the write decide (it may be stale)", () => {
    const d = decideTrail({ insightSelectors: [], latestDeliveryError: 'AccessDenied' });
    expect(d.finding.status).toBe('drifted');
    expect(d.finding.blockers).toEqual([]);
    expect(d.actions.map((a) => a.operation)).toEqual(['PutInsightSelectors']);
    expect(d.finding.warnings).toEqual([expect.stringMatching(/LatestDeliveryError: "AccessDenied"/)]);
    expect(d.finding.summary).toMatch(/warning: the trail's latest delivery/);
    // A compliant trail keeps the warning, without a write.
    const ok = decideTrail({ latestDeliveryError: 'AccessDenied' });
    expect([ok.finding.status, ok.actions, ok.finding.warnings?.length]).toEqual(['compliant', [], 1]);
  });
});

describe('decide: prerequisites the policy only reports', () => {
  const reportOnly = aPolicy({ prerequisites: { eventSelectors: 'report', logging: 'report' } });

  it('reports read-only selectors and still enables what they allow (ApiErrorRateInsight): drifted, the rest left for a person', () => {
    const d = decideTrail({ insightSelectors: [], eventSelectors: { kind: 'basic', selectors: [{ ReadWriteType: 'ReadOnly' }] } }, reportOnly);
    expect(d.finding.status).toBe('drifted');
    expect(d.finding.summary).toMatch(/then a person must: change the event selectors yourself/);
    expect(blockerCodes(d)).toEqual(['prerequisiteRepairDisabled']);
    expect(d.finding.blockers[0]?.remedy).toMatch(/ReadWriteType ReadOnly -> All/);
    expect(d.actions).toMatchObject([{ operation: 'PutInsightSelectors', input: { InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] } }]);
  });

  it('does not re-put an existing type its selectors no longer support', () => {
    const d = decideTrail({ insightSelectors: [{ InsightType: 'ApiCallRateInsight' }], eventSelectors: { kind: 'basic', selectors: [{ ReadWriteType: 'ReadOnly' }] } }, reportOnly);
    expect(d.actions).toEqual([]);
    expect(d.finding.status).toBe('not-remediable');
  });

  it('reports a stopped trail and a stopped store without starting them', () => {
    expect(decideTrail({ isLogging: false }, reportOnly)).toMatchObject({ actions: [], finding: { status: 'not-remediable', blockers: [{ code: 'prerequisiteRepairDisabled' }] } });
    // Insights off too: enabling them on a trail that stays stopped would analyze nothing (and restart when it starts).
    expect(decideTrail({ isLogging: false, insightSelectors: [] }, reportOnly)).toMatchObject({ actions: [], finding: { status: 'not-remediable' } });
    expect(decideStore({ status: 'STOPPED_INGESTION', insightSelectors: [] }, reportOnly)).toMatchObject({ actions: [], finding: { status: 'not-remediable' } });
  });

  it('never carries a write on a not-remediable finding', () => {
    const cases = [
      decideTrail({ isLogging: false, insightSelectors: [] }, reportOnly),
      decideTrail({ insightSelectors: [{ InsightType: 'ApiCallRateInsight' }], eventSelectors: { kind: 'basic', selectors: [{ ReadWriteType: 'ReadOnly' }] } }, reportOnly),
      decideTrail({ insightSelectors: [{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiErrorRateInsight' }] }, aPolicy({ trails: { eventCategories: ['Management', 'Data'], dataCategory: 'always' } })),
    ];
    for (const d of cases) expect([d.finding.status, d.actions]).toEqual(['not-remediable', []]);
    expect(decideStore({ status: 'STOPPED_INGESTION' }, reportOnly)).toMatchObject({ actions: [], finding: { status: 'not-remediable' } });
  });
});

describe('decide: data-event Insights (trails only)', () => {
  const withData = aPolicy({ trails: { eventCategories: ['Management', 'Data'] } });

  it('requires Data-category Insights on a trail that logs data events', () => {
    const d = decideTrail({ eventSelectors: { kind: 'basic', selectors: [{ DataResources: [S3_DATA] }] } }, withData);
    expect(codes(d)).toEqual(['insightChannelMissing']);
    expect(d.actions[0]?.input).toEqual({
      TrailName: aTrail().arn,
      InsightSelectors: [
        { InsightType: 'ApiCallRateInsight', EventCategories: ['Management', 'Data'] },
        { InsightType: 'ApiErrorRateInsight', EventCategories: ['Management', 'Data'] },
      ],
    });
  });

  it('does not require them on a trail without data events when dataCategory is whenLogged', () => {
    expect(decideTrail({}, withData).finding.status).toBe('compliant');
  });

  it('enables Management on a trail without data events when dataCategory is always, leaving Data to a person', () => {
    const always = aPolicy({ trails: { eventCategories: ['Management', 'Data'], dataCategory: 'always' } });
    const d = decideTrail({ insightSelectors: [] }, always);
    expect(d.finding.status).toBe('drifted');
    expect(blockerCodes(d)).toEqual(['dataEventsNotLogged']);
    expect(d.actions[0]?.input).toEqual({ TrailName: aTrail().arn, InsightSelectors: BOTH_INSIGHTS });
  });

  it('never asks for Data categories on an event data store', () => {
    const d = decideStore({ insightSelectors: [] }, withData);
    expect(d.actions[0]?.input).toMatchObject({ InsightSelectors: BOTH_INSIGHTS });
  });
});

describe('decide: event data stores', () => {
  it('enables Insights delivering to the Insight-category store of the same account', () => {
    const d = decideStore({ insightSelectors: [], insightsDestination: undefined });
    expect(d.actions).toMatchObject([{ operation: 'PutInsightSelectors', input: { EventDataStore: aStore().arn, InsightsDestination: INSIGHT_STORE, InsightSelectors: BOTH_INSIGHTS } }]);
    expect(d.projectedClock).toMatchObject({ status: 'pending-first-delivery', windowEnd: '2026-11-28T12:00:00.000Z' });
  });

  it('prefers a destination in the same region, then the lowest ARN', () => {
    const other = anInsightStoreSummary({ arn: storeArn('a-other-region', MEMBER, 'eu-west-1'), region: 'eu-west-1' });
    const ctx = aContext({ eventDataStoresInAccount: [other, anInsightStoreSummary()] });
    expect(decideStore({ insightSelectors: [], insightsDestination: undefined }, policy, ctx).actions[0]?.input).toMatchObject({ InsightsDestination: INSIGHT_STORE });
  });

  it('starts ingestion on a stopped store before anything else', () => {
    const d = decideStore({ status: 'STOPPED_INGESTION', insightSelectors: [], insightsDestination: undefined });
    expect(operations(d)).toEqual(['StartEventDataStoreIngestion', 'PutInsightSelectors']);
  });

  it('waits for a store between ingestion states, and retries later', () => {
    for (const status of ['STARTING_INGESTION', 'STOPPING_INGESTION', 'CREATED'] as const) {
      const d = decideStore({ status, insightSelectors: [] });
      expect(d.finding.status).toBe('drifted');
      expect(d.finding.blockers).toMatchObject([{ code: 'transitional', transient: true }]);
      expect(d.actions).toEqual([]);
    }
  });

  it('widens a read-only store with UpdateEventDataStore, never removing other selectors', () => {
    const ro = { Name: 'mgmt', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] }] };
    const d = decideStore({ advancedEventSelectors: [ro], insightSelectors: [] });
    expect(operations(d)).toEqual(['UpdateEventDataStore', 'PutInsightSelectors']);
    expect(d.actions[0]?.input).toEqual({ EventDataStore: aStore().arn, AdvancedEventSelectors: [{ Name: 'mgmt', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] });
  });

  it('leaves a store that filters management events by eventName to a person', () => {
    const narrowed = { Name: 'n', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventName', Equals: ['ConsoleLogin'] }] };
    const d = decideStore({ advancedEventSelectors: [narrowed], insightSelectors: [] });
    expect(d.finding.status).toBe('not-remediable');
    expect(blockerCodes(d)).toEqual(['managementEventsNarrowed']);
    expect(d.actions).toEqual([]);
  });

  it('reports a missing destination as not remediable, with what a person must create', () => {
    const d = decideStore({ insightSelectors: [], insightsDestination: undefined }, policy, aContext({ eventDataStoresInAccount: [] }));
    expect(d.finding.status).toBe('not-remediable');
    expect(codes(d)).toEqual(['insightsOff', 'destinationMissing']);
    expect(d.finding.blockers[0]?.remedy).toMatch(/eventCategory Equals \["Insight"\]/);
    expect(d.actions).toEqual([]);
  });

  it.each([
    ['not Insight-category', anInsightStoreSummary({ eventCategories: ['Management'] }), /does not log eventCategory Insight/],
    ['pending deletion', anInsightStoreSummary({ status: 'PENDING_DELETION' }), /pending deletion/],
  ])('moves Insights off a destination that is %s to a valid one', (_what, broken, message) => {
    const good = anInsightStoreSummary({ arn: storeArn('good-dest'), name: 'good-dest' });
    const d = decideStore({}, policy, aContext({ eventDataStoresInAccount: [broken, good] }));
    expect(codes(d)).toEqual(['destinationInvalid']);
    expect(d.finding.reasons[0]?.message).toMatch(message);
    expect(d.actions).toMatchObject([{ input: { InsightsDestination: storeArn('good-dest'), InsightSelectors: BOTH_INSIGHTS } }]);
  });

  it('rejects a destination in another account: source and destination must belong to the same account', () => {
    const foreign = storeArn('dest', '999999999999');
    const d = decideStore({ insightsDestination: foreign }, policy, aContext({ eventDataStoresInAccount: [] }));
    expect(d.finding.reasons[0]?.message).toMatch(/is in account 999999999999; source and destination must belong to the same account/);
    expect(d.finding.status).toBe('not-remediable');
  });

  describe('with named destinations', () => {
    const named = (eventDataStore: string) =>
      aPolicy({ eventDataStores: { destination: { strategy: 'named', stores: [{ account: MEMBER, region: 'us-east-1', eventDataStore }] } } });

    it('accepts a bare store id and resolves it in the named account and region', () => {
      expect(decideStore({}, named('insights-dest')).finding.status).toBe('compliant');
    });

    it('moves Insights to the named destination, noting the clock restart', () => {
      const pinned = anInsightStoreSummary({ arn: storeArn('pinned'), name: 'pinned' });
      const d = decideStore({}, named('pinned'), aContext({ eventDataStoresInAccount: [anInsightStoreSummary(), pinned] }));
      expect(codes(d)).toEqual(['destinationMismatch']);
      expect(d.finding.reasons[0]?.message).toMatch(/restarts the 7-day clock/);
      expect(d.actions).toMatchObject([{ input: { InsightsDestination: storeArn('pinned') } }]);
      expect(d.actions[0]?.why).toBe(`deliver to ${storeArn('pinned')}`);
    });

    it('reports an account-region the policy names no destination for', () => {
      const d = decideStore({ insightSelectors: [], insightsDestination: undefined }, aPolicy({ eventDataStores: { destination: { strategy: 'named', stores: [{ account: MANAGEMENT, region: 'us-east-1', eventDataStore: 'x-dest' }] } } }));
      expect(blockerCodes(d)).toEqual(['destinationMissing']);
      expect(d.actions).toEqual([]);
    });

    it('reports a named destination that cannot receive Insights', () => {
      const d = decideStore({}, named('missing-store'));
      expect(blockerCodes(d)).toEqual(['destinationInvalid']);
      expect(d.finding.reasons[0]?.message).toMatch(/is not an event data store of account/);
    });
  });
});

describe('decide: a destination the policy lets the product create', () => {
  const create = (over: Record<string, unknown> = {}) => aPolicy({ eventDataStores: { destination: { strategy: 'create', ...over } } });
  const source = aStore({ insightSelectors: [], insightsDestination: undefined });
  const sourceSummary = { arn: source.arn, name: source.name, accountId: MEMBER, region: 'us-east-1', status: 'ENABLED' as const, eventCategories: ['Management'] };
  const alone = aContext({ eventDataStoresInAccount: [sourceSummary] });
  const INSIGHT_SELECTOR = [{ Name: 'Select Insights events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Insight'] }] }];

  it('plans CreateEventDataStore with the Insight selector, then PutInsightSelectors naming the store it creates, and says ingestion is billed', () => {
    const d = decide({ policy: create({ tags: { team: 'security' } }), source, context: alone, now: NOW });
    expect(d.finding.status).toBe('drifted');
    expect(d.finding.summary).toMatch(/the policy lets the product create insights-destination in us-east-1, and ingesting Insights events into it is billed/);
    expect(operations(d)).toEqual(['CreateEventDataStore', 'PutInsightSelectors']);
    const [made, put] = d.actions as [Extract<Decision['actions'][number], { kind: 'createInsightsDestination' }>, Extract<Decision['actions'][number], { kind: 'putInsightSelectors' }>];
    expect(made).toMatchObject({
      accountId: MEMBER,
      region: 'us-east-1',
      input: {
        Name: 'insights-destination',
        AdvancedEventSelectors: INSIGHT_SELECTOR,
        OrganizationEnabled: false,
        RetentionPeriod: 366,
        BillingMode: 'EXTENDABLE_RETENTION_PRICING',
        TerminationProtectionEnabled: true,
        TagsList: [{ Key: 'team', Value: 'security' }, { Key: 'insights-remediator:destination', Value: 'perAccount' }],
      },
    });
    expect(made.why).toMatch(/billed/);
    expect(made.input).not.toHaveProperty('KmsKeyId');
    expect(put.input).toEqual({ EventDataStore: source.arn, InsightsDestination: made.creates, InsightSelectors: BOTH_INSIGHTS });
    // Creating a store starts no Insights window; the PutInsightSelectors does.
    expect(d.projectedClock.status).toBe('pending-first-delivery');
  });

  it('creates an organization store only for an organization source, from the management account', () => {
    const org = aStore({ name: 'org-lake', accountId: MANAGEMENT, observedFromAccountId: MANAGEMENT, organizationOwned: true, insightSelectors: [], insightsDestination: undefined });
    const d = decide({ policy: create(), source: org, context: aContext({ eventDataStoresInAccount: [{ ...sourceSummary, arn: org.arn, accountId: MANAGEMENT }] }), now: NOW });
    expect(d.actions[0]).toMatchObject({ operation: 'CreateEventDataStore', accountId: MANAGEMENT, input: { OrganizationEnabled: true } });
  });

  it('uses an Insight store of the account in any region (perAccount) instead of creating one; perRegion creates one in its own region', () => {
    const elsewhere = anInsightStoreSummary({ arn: storeArn('dest-eu', MEMBER, 'eu-west-1'), region: 'eu-west-1' });
    const ctx = aContext({ eventDataStoresInAccount: [sourceSummary, elsewhere] });
    expect(decide({ policy: create(), source, context: ctx, now: NOW }).actions).toMatchObject([{ operation: 'PutInsightSelectors', input: { InsightsDestination: elsewhere.arn } }]);
    expect(operations(decide({ policy: create({ scope: 'perRegion' }), source, context: ctx, now: NOW }))).toEqual(['CreateEventDataStore', 'PutInsightSelectors']);
  });

  it('keeps a valid current destination, and replaces one pending deletion with a new store under a free name', () => {
    expect(decide({ policy: create(), source: aStore(), context: aContext({ eventDataStoresInAccount: [sourceSummary, anInsightStoreSummary()] }), now: NOW }).actions).toEqual([]);
    const gone = anInsightStoreSummary({ name: 'insights-destination', status: 'PENDING_DELETION' });
    const d = decide({ policy: create(), source: aStore(), context: aContext({ eventDataStoresInAccount: [sourceSummary, gone] }), now: NOW });
    expect(codes(d)).toEqual(['destinationInvalid']);
    expect(d.actions[0]).toMatchObject({ operation: 'CreateEventDataStore', input: { Name: 'insights-destination-2' } });
  });

  it('reports an account-region at the quota of 10 event data stores as not remediable, with the reason', () => {
    const full = Array.from({ length: 9 }, (_, i) => ({ ...sourceSummary, arn: storeArn(`other-${i}`), name: `other-${i}` }));
    const d = decide({ policy: create(), source, context: aContext({ eventDataStoresInAccount: [sourceSummary, ...full] }), now: NOW });
    expect(d.finding.status).toBe('not-remediable');
    expect(blockerCodes(d)).toEqual(['eventDataStoreLimitReached']);
    expect(d.finding.summary).toMatch(/10 event data stores in us-east-1: CloudTrail's quota \(10 per region\)/);
    expect(d.actions).toEqual([]);
  });

  it('never creates one in an account without a store of its own (it would be a new CloudTrail Lake customer)', () => {
    const d = decide({ policy: create(), source, context: aContext({ eventDataStoresInAccount: [] }), now: NOW });
    expect(d.finding.status).toBe('not-remediable');
    expect(d.finding.summary).toMatch(/new CloudTrail Lake customer/);
    expect(d.actions).toEqual([]);
  });

  it('passes the KMS key, retention, billing mode and termination protection through as CreateEventDataStore takes them', () => {
    const kmsKeyId = `arn:aws:kms:us-east-1:${MEMBER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const d = decide({ policy: create({ kmsKeyId, retentionPeriod: 90, billingMode: 'FIXED_RETENTION_PRICING', terminationProtection: false, name: 'sec-insights' }), source, context: alone, now: NOW });
    expect(d.actions[0]?.input).toMatchObject({ Name: 'sec-insights', KmsKeyId: kmsKeyId, RetentionPeriod: 90, BillingMode: 'FIXED_RETENTION_PRICING', TerminationProtectionEnabled: false });
  });
});

describe('decide: who may write what', () => {
  const orgTrail = { name: 'org-trail', accountId: MANAGEMENT, observedFromAccountId: MANAGEMENT, organizationOwned: true, arn: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail' };

  it('repairs an organization trail from the management account', () => {
    const d = decideTrail({ ...orgTrail, insightSelectors: [] });
    expect(d.actions).toMatchObject([{ operation: 'PutInsightSelectors', accountId: MANAGEMENT }]);
  });

  it('never writes the organization trail\'s copy seen from a member account', () => {
    const d = decideTrail({ ...orgTrail, observedFromAccountId: MEMBER, insightSelectors: [] });
    expect(d.finding.status).toBe('out-of-scope');
    expect(d.finding.managedFrom).toEqual({ accountId: MANAGEMENT, region: 'us-east-1' });
    expect(d.actions).toEqual([]);
  });

  it('never writes a multi-region trail\'s shadow copy in another region', () => {
    const d = decideTrail({ region: 'eu-west-1', insightSelectors: [] });
    expect(d.finding).toMatchObject({ status: 'out-of-scope', managedFrom: { accountId: MEMBER, region: 'us-east-1' } });
    expect(d.actions).toEqual([]);
  });

  it('refuses to write an organization source whose owner is not the management account', () => {
    const d = decideStore({ organizationOwned: true, insightSelectors: [] });
    expect(d.finding.status).toBe('not-remediable');
    expect(blockerCodes(d)).toContain('notOwnedByManagementAccount');
    expect(d.actions).toEqual([]);
  });

  it('enables Insights on an organization event data store from the management account', () => {
    const ctx = aContext({ managementAccountId: MANAGEMENT, eventDataStoresInAccount: [anInsightStoreSummary({ accountId: MANAGEMENT, arn: storeArn('insights-dest', MANAGEMENT) })] });
    const d = decideStore({ organizationOwned: true, accountId: MANAGEMENT, observedFromAccountId: MANAGEMENT, arn: storeArn('org-store', MANAGEMENT), insightSelectors: [], insightsDestination: undefined }, policy, ctx);
    expect(d.actions).toMatchObject([{ accountId: MANAGEMENT, input: { InsightsDestination: storeArn('insights-dest', MANAGEMENT) } }]);
  });
});

describe('decide: scope, selection and exemptions', () => {
  it('ignores accounts and regions outside the scope', () => {
    expect(decideTrail({ insightSelectors: [] }, aPolicy({ scope: { regions: { include: ['eu-west-1'] } } })).finding).toMatchObject({ status: 'out-of-scope', summary: 'region us-east-1 is not in scope.regions.include' });
    expect(decideTrail({ insightSelectors: [] }, aPolicy({ scope: { regions: { include: ['us-east-1'] }, accounts: { exclude: [MEMBER] } } })).finding.status).toBe('out-of-scope');
  });

  it('scopes by OU through the account\'s organization path', () => {
    const p = aPolicy({ scope: { regions: { include: ['us-east-1'] }, organizationalUnits: { exclude: ['ou-ab12-sandbox1'] } } });
    const d = decide({ policy: p, source: aTrail({ insightSelectors: [] }), context: aContext({ accountOuPath: ['r-ab12', 'ou-ab12-sandbox1'] }), now: NOW });
    expect(d.finding.summary).toBe('account 222222222222 is in ou-ab12-sandbox1, excluded by scope.organizationalUnits.exclude');
  });

  it('selects sources by name and tag', () => {
    expect(decideTrail({ insightSelectors: [] }, aPolicy({ trails: { select: { excludeNames: ['ma*'] } } })).finding.status).toBe('out-of-scope');
    const byTag = aPolicy({ trails: { select: { tags: { insights: 'required' } } } });
    expect(decideTrail({ insightSelectors: [], tags: {} }, byTag).finding.summary).toBe('tag insights=required required by trails.select.tags is absent');
    expect(decideTrail({ insightSelectors: [], tags: { insights: 'required' } }, byTag).finding.status).toBe('drifted');
  });

  it('leaves Insights destination stores, stores pending deletion and data-only stores alone', () => {
    expect(decideStore({ advancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Insight'] }] }], insightSelectors: [] }).finding.summary).toMatch(/an Insights destination store/);
    expect(decideStore({ status: 'PENDING_DELETION' }).finding.summary).toMatch(/pending deletion/);
    expect(decideStore({ advancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['ConfigurationItem'] }] }], insightSelectors: [] }).finding.summary).toBe(
      'logs no management events (ConfigurationItem events): Insights on event data stores analyze management events only',
    );
    expect(decideStore({ advancedEventSelectors: [], insightSelectors: [] }).finding.summary).toMatch(/\(no events\)/);
  });

  it('exempts a matching source until its expiry, saying what would be wrong, without writing', () => {
    const p = aPolicy({ exemptions: [{ match: { name: 'main' }, reason: 'migration CHG-7', expires: '2026-11-30' }] });
    const d = decideTrail({ insightSelectors: [] }, p);
    expect(d.finding).toMatchObject({ status: 'exempt', exemption: { reason: 'migration CHG-7', expiresAt: '2026-12-01T00:00:00.000Z' } });
    expect(d.finding.summary).toBe('exempt (expires 2026-11-30): migration CHG-7 (would be: Insights are off; the policy requires ApiCallRateInsight and ApiErrorRateInsight on Management)');
    expect(d.actions).toEqual([]);
    expect(decideTrail({}, p).finding.summary).toBe('exempt (expires 2026-11-30): migration CHG-7');
  });

  it('stops applying an expired exemption and reports it as expired', () => {
    const p = aPolicy({ exemptions: [{ match: { kind: 'trail' }, reason: 'old ticket', expires: '2026-11-20' }] });
    const d = decideTrail({ insightSelectors: [] }, p);
    expect(d.finding.status).toBe('drifted');
    expect(d.finding.expiredExemptions).toEqual([{ reason: 'old ticket', expiresAt: '2026-11-21T00:00:00.000Z' }]);
    expect(d.finding.summary).toMatch(/\(exemption expired 2026-11-20: old ticket\)$/);
    expect(decideTrail({}, p).finding.summary).toMatch(/^Insights on .*\(exemption expired 2026-11-20: old ticket\)$/);
  });
});

describe('decide: the Insights clock it reports', () => {
  it('infers a window from a recent logging start when the ledger has no record', () => {
    const d = decideTrail({ startLoggingTime: ago(HOURS(5)) });
    expect(d.clockFactsChanged).toBe(true);
    expect(d.finding).toMatchObject({ status: 'pending-first-delivery', pendingUntil: '2026-11-22T19:00:00.000Z' });
    expect(d.clock.basis).toBe('inferred');
  });

  it('does not restart the clock of channels already on when adding one', () => {
    const since = ago(HOURS(100));
    const d = decide({
      policy,
      source: aTrail({ insightSelectors: [{ InsightType: 'ApiCallRateInsight' }] }),
      context: aContext(),
      clockFacts: { kind: 'trail', logging: 'on', channels: { 'ApiCallRateInsight:Management': { since, basis: 'enabled' } }, trackedSince: since },
      now: NOW,
    });
    expect(d.clockFactsChanged).toBe(false);
    const byChannel = Object.fromEntries(d.projectedClock.channels.map((c) => [c.channel, c]));
    expect(byChannel['ApiCallRateInsight:Management']).toMatchObject({ status: 'delivering', since });
    expect(byChannel['ApiErrorRateInsight:Management']).toMatchObject({ status: 'pending-first-delivery', since: NOW.toISOString() });
  });
});

describe('describeChannels', () => {
  it('groups types by their categories', () => {
    expect(describeChannels(['ApiCallRateInsight:Management', 'ApiCallRateInsight:Data', 'ApiErrorRateInsight:Management'])).toBe(
      'ApiCallRateInsight on Management and Data, ApiErrorRateInsight on Management',
    );
  });
});
