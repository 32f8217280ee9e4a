// Conformance: the differences between the simulator and AWS that issue #17 found, one test per rule, each with the
// AWS page or model shape it follows.
import {
  CreateEventDataStoreCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  PutInsightSelectorsCommand,
  UpdateEventDataStoreCommand,
  UpdateTrailCommand,
  type AdvancedEventSelector,
} from '@aws-sdk/client-cloudtrail';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import type { Simulator } from '../../../sim/server';
import cloudtrailModel from '../../../sim/model/cloudtrail.json';
import { cloudtrail, DEV, INSIGHT_SELECTOR, MGMT, organizations, PROD, rejection, startSim, storeArn, testWorld, trailArn } from '../../helpers/sim';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSim();
});
afterEach(() => sim.stop());

const category = (...c: string[]) => ({ Field: 'eventCategory', Equals: c });

// `com.amazonaws.cloudtrail#InvalidEventSelectorsException` ("Specify a valid number of event selectors (1 to 5)");
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html
describe('PutEventSelectors refuses what AWS refuses, with InvalidEventSelectorsException', () => {
  it.each<[string, Record<string, unknown>]>([
    ['an empty list of basic selectors (1 to 5)', { EventSelectors: [] }],
    ['a data resource without a Type', { EventSelectors: [{ DataResources: [{ Values: ['arn:aws:s3:::b/'] }] }] }],
    ['an eventCategory that does not exist', { AdvancedEventSelectors: [{ FieldSelectors: [category('Managment')] }] }],
    ['eventCategory Insight on a trail (event data stores only)', { AdvancedEventSelectors: [{ FieldSelectors: [category('Insight')] }] }],
    ['a data selector without resources.type', { AdvancedEventSelectors: [{ FieldSelectors: [category('Data'), { Field: 'eventName', Equals: ['PutObject'] }] }] }],
    ['eventCategory with an operator other than Equals', { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', StartsWith: ['Man'] }] }] }],
    ['an empty list of advanced selectors', { AdvancedEventSelectors: [] }],
  ])('%s', async (_, selectors) => {
    const e = await rejection(cloudtrail(sim, PROD).send(new PutEventSelectorsCommand({ TrailName: 'audit', ...selectors })));
    expect(e.name).toBe('InvalidEventSelectorsException');
    // and nothing changed
    expect((await cloudtrail(sim, PROD).send(new GetEventSelectorsCommand({ TrailName: 'audit' }))).EventSelectors).toEqual([{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }]);
  });

  it('accepts a data selector that names resources.type', async () => {
    const out = await cloudtrail(sim, PROD).send(new PutEventSelectorsCommand({ TrailName: 'audit', AdvancedEventSelectors: [{ FieldSelectors: [category('Data'), { Field: 'resources.type', Equals: ['AWS::S3::Object'] }] }] }));
    expect(out.AdvancedEventSelectors).toHaveLength(1);
  });

  it('echoes the stored form: IncludeManagementEvents, DataResources and ExcludeManagementEventSources filled as AWS does', async () => {
    const out = await cloudtrail(sim, PROD).send(new PutEventSelectorsCommand({ TrailName: 'audit', EventSelectors: [{ ReadWriteType: 'WriteOnly' }] }));
    const stored = [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }];
    expect(out.EventSelectors).toEqual(stored);
    expect((await cloudtrail(sim, PROD).send(new GetEventSelectorsCommand({ TrailName: 'audit' }))).EventSelectors).toEqual(stored);
  });
});

// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html (eventCategory values,
// "used only for event data stores", no filtering for Insights stores); `com.amazonaws.cloudtrail#CreateEventDataStore`
describe('CreateEventDataStore / UpdateEventDataStore refuse invalid advanced selectors', () => {
  const create = (selectors: AdvancedEventSelector[], name = 'new-store') => cloudtrail(sim, PROD).send(new CreateEventDataStoreCommand({ Name: name, AdvancedEventSelectors: selectors }));

  it.each<[string, AdvancedEventSelector[]]>([
    ['a store both Insight and Management', [{ FieldSelectors: [category('Insight', 'Management')] }]],
    ['Insight in one selector and Management in another', [{ FieldSelectors: [category('Insight')] }, { FieldSelectors: [category('Management')] }]],
    ['a selector without eventCategory', [{ FieldSelectors: [{ Field: 'readOnly', Equals: ['true'] }] }]],
    ['an eventCategory that does not exist', [{ FieldSelectors: [category('Insights')] }]],
    ['an Insights store that filters (filtering is not supported)', [{ FieldSelectors: [category('Insight'), { Field: 'eventName', Equals: ['x'] }] }]],
    ['a data selector without resources.type', [{ FieldSelectors: [category('Data')] }]],
  ])('CreateEventDataStore: %s', async (_, selectors) => {
    expect((await rejection(create(selectors))).name).toBe('InvalidEventSelectorsException');
  });

  it('accepts an Insights destination store and a Management store', async () => {
    expect((await create([INSIGHT_SELECTOR], 'insights-destination')).EventDataStoreArn).toBeDefined();
    expect((await create([{ FieldSelectors: [category('Management'), { Field: 'readOnly', Equals: ['false'] }] }], 'writes')).EventDataStoreArn).toBeDefined();
  });

  it('UpdateEventDataStore refuses the same, and changes nothing', async () => {
    const e = await rejection(cloudtrail(sim, PROD).send(new UpdateEventDataStoreCommand({ EventDataStore: 'prod-mgmt-store', AdvancedEventSelectors: [{ FieldSelectors: [category('Insight', 'Management')] }] })));
    expect(e.name).toBe('InvalidEventSelectorsException');
  });
});

// The CreateEventDataStore rules documented in the model and the quota page, each checked once more here.
describe('CreateEventDataStore: name, retention, quota and KMS key', () => {
  const ct = () => cloudtrail(sim, DEV, 'eu-west-1');
  it('a name breaking `com.amazonaws.cloudtrail#EventDataStoreName` (3-128, [a-zA-Z0-9._-]) is InvalidParameterException', async () => {
    expect((await rejection(ct().send(new CreateEventDataStoreCommand({ Name: 'ab' })))).name).toBe('InvalidParameterException');
    expect((await rejection(ct().send(new CreateEventDataStoreCommand({ Name: 'has space' })))).name).toBe('InvalidParameterException');
    expect((await rejection(ct().send(new CreateEventDataStoreCommand({ Name: 'x'.repeat(129) })))).name).toBe('InvalidParameterException');
  });

  it('retention 7 to 3653 days with extendable retention pricing, at most 2557 with fixed (`CreateEventDataStoreRequest$RetentionPeriod`)', async () => {
    expect((await rejection(ct().send(new CreateEventDataStoreCommand({ Name: 'short', RetentionPeriod: 6 })))).name).toBe('InvalidParameterException');
    expect((await rejection(ct().send(new CreateEventDataStoreCommand({ Name: 'long', RetentionPeriod: 3654 })))).name).toBe('InvalidParameterException');
    expect((await ct().send(new CreateEventDataStoreCommand({ Name: 'ten-years', RetentionPeriod: 3653 }))).RetentionPeriod).toBe(3653);
    expect((await rejection(ct().send(new CreateEventDataStoreCommand({ Name: 'fixed', BillingMode: 'FIXED_RETENTION_PRICING', RetentionPeriod: 2558 })))).name).toBe('InvalidParameterException');
    expect((await ct().send(new CreateEventDataStoreCommand({ Name: 'fixed', BillingMode: 'FIXED_RETENTION_PRICING' }))).RetentionPeriod).toBe(2557);
  });

  it('at most 10 event data stores per Region (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html)', async () => {
    for (let i = 0; i < 10; i++) await ct().send(new CreateEventDataStoreCommand({ Name: `store-${i}` }));
    expect((await rejection(ct().send(new CreateEventDataStoreCommand({ Name: 'store-10' })))).name).toBe('EventDataStoreMaxLimitExceededException');
  });

  it('a KMS key, once set, cannot change (`CreateEventDataStoreRequest$KmsKeyId`: "cannot be removed or changed")', async () => {
    const made = await ct().send(new CreateEventDataStoreCommand({ Name: 'encrypted', KmsKeyId: 'alias/one' }));
    sim.state.settle(sim.state.stores.get(made.EventDataStoreArn!)!);
    const e = await rejection(ct().send(new UpdateEventDataStoreCommand({ EventDataStore: made.EventDataStoreArn!, KmsKeyId: 'alias/two' })));
    expect(e.name).toBe('InvalidParameterException');
  });
});

// `com.amazonaws.cloudtrail#UpdateTrail`: a refused request changes nothing.
describe('a refused UpdateTrail applies nothing', () => {
  it('a conversion to an organization trail refused for trusted access leaves the trail as it was, its other changes too', async () => {
    const noTrust = await startSim({ world: { ...testWorld(), organization: { ...testWorld().organization, trustedServices: [] } } });
    try {
      const ct = cloudtrail(noTrust, MGMT);
      const e = await rejection(ct.send(new UpdateTrailCommand({ Name: 'org-trail', IsOrganizationTrail: false, S3KeyPrefix: 'changed' })));
      expect(e.name).toBe('CloudTrailAccessNotEnabledException');
      const [t] = (await ct.send(new DescribeTrailsCommand({ trailNameList: ['org-trail'] }))).trailList!;
      expect([t!.IsOrganizationTrail, t!.S3KeyPrefix]).toEqual([true, undefined]);
    } finally {
      await noTrust.stop();
    }
  });

  it('a multi-Region trail without global events is refused and nothing else applied', async () => {
    const ct = cloudtrail(sim, PROD);
    const e = await rejection(ct.send(new UpdateTrailCommand({ Name: 'audit', IncludeGlobalServiceEvents: false, S3KeyPrefix: 'changed' })));
    expect(e.name).toBe('InvalidParameterCombinationException');
    const [t] = (await ct.send(new DescribeTrailsCommand({ trailNameList: ['audit'] }))).trailList!;
    expect([t!.IncludeGlobalServiceEvents, t!.S3KeyPrefix, t!.IsMultiRegionTrail]).toEqual([true, undefined, true]);
  });
});

// `com.amazonaws.cloudtrail#GetTrailStatusRequest$Name`: "To get the status of a shadow trail (a replication of the
// trail in another Region), you must specify its ARN."
describe('a bare name never resolves to another Region\'s trail', () => {
  const shadowRegion = () => cloudtrail(sim, PROD, 'eu-central-1');
  const audit = trailArn('audit'); // multi-Region, homed in us-east-1

  it('DescribeTrails by name does not return the shadow; by ARN it does', async () => {
    expect((await shadowRegion().send(new DescribeTrailsCommand({ trailNameList: ['audit'] }))).trailList).toEqual([]);
    expect((await shadowRegion().send(new DescribeTrailsCommand({ trailNameList: [audit] }))).trailList!.map((t) => t.TrailARN)).toEqual([audit]);
  });

  it('GetTrailStatus, GetEventSelectors and GetInsightSelectors of a shadow by bare name: TrailNotFoundException; by ARN they answer', async () => {
    await cloudtrail(sim, PROD).send(new PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] }));
    for (const call of [new GetTrailStatusCommand({ Name: 'audit' }), new GetEventSelectorsCommand({ TrailName: 'audit' }), new GetInsightSelectorsCommand({ TrailName: 'audit' })])
      expect((await rejection(shadowRegion().send(call as never))).name).toBe('TrailNotFoundException');
    expect((await shadowRegion().send(new GetTrailStatusCommand({ Name: audit }))).IsLogging).toBe(true);
    expect((await shadowRegion().send(new GetEventSelectorsCommand({ TrailName: audit }))).TrailARN).toBe(audit);
    expect((await shadowRegion().send(new GetInsightSelectorsCommand({ TrailName: audit }))).InsightSelectors).toEqual([{ InsightType: 'ApiErrorRateInsight' }]);
  });

  it('in its home Region the name still works', async () => {
    expect((await cloudtrail(sim, PROD).send(new GetTrailStatusCommand({ Name: 'audit' }))).IsLogging).toBe(true);
  });
});

// `com.amazonaws.cloudtrail#PutInsightSelectors` / `#GetInsightSelectors`: only their modeled errors.
describe('PutInsightSelectors and GetInsightSelectors raise only errors their models list', () => {
  const modeled = (op: string) => (cloudtrailModel as { operations: Record<string, { errors: string[] }> }).operations[op]!.errors;

  it.each<[string, Record<string, unknown>]>([
    ['an unknown source store', { EventDataStore: 'no-such-store', InsightsDestination: 'prod-insights-store', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] }],
    ['an unknown destination store', { EventDataStore: 'prod-mgmt-store', InsightsDestination: 'no-such-store', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] }],
    ['a malformed store ARN', { EventDataStore: 'arn:aws:cloudtrail:us-east-1:bad', InsightsDestination: 'prod-insights-store', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] }],
    ['a destination of another category', { EventDataStore: 'prod-mgmt-store', InsightsDestination: 'prod-readonly-store', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] }],
    ['no destination', { EventDataStore: 'prod-mgmt-store', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] }],
  ])('PutInsightSelectors: %s', async (_, input) => {
    const e = await rejection(cloudtrail(sim, PROD).send(new PutInsightSelectorsCommand(input as never)));
    expect(modeled('PutInsightSelectors')).toContain(e.name);
  });

  it('a store pending deletion, as source: InvalidParameterException (modeled), not InactiveEventDataStoreException', async () => {
    const store = sim.state.stores.get(storeArn('prod-mgmt-store'))!;
    store.status = 'PENDING_DELETION';
    store.deletionStartedAt = sim.clock.nowMs();
    const e = await rejection(cloudtrail(sim, PROD).send(new PutInsightSelectorsCommand({ EventDataStore: 'prod-mgmt-store', InsightsDestination: 'prod-insights-store', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] })));
    expect(e.name).toBe('InvalidParameterException');
  });

  it('GetInsightSelectors of an unknown store: a modeled error', async () => {
    const e = await rejection(cloudtrail(sim, PROD).send(new GetInsightSelectorsCommand({ EventDataStore: 'no-such-store' })));
    expect(modeled('GetInsightSelectors')).toContain(e.name);
  });
});

// `com.amazonaws.cloudtrail#PutInsightSelectorsRequest$InsightsDestination`: "must belong to the same AWS account", the
// only rule documented.
describe('an Insights destination in another Region of the same account', () => {
  it('is accepted by ARN; another account\'s is not', async () => {
    const world = testWorld();
    const euDestination = { account: PROD, region: 'eu-west-1', id: 'prod-eu-insights', name: 'prod-eu-insights', advancedEventSelectors: [INSIGHT_SELECTOR] };
    const other = await startSim({ world: { ...world, eventDataStores: [...world.eventDataStores!, euDestination] } });
    try {
      const out = await cloudtrail(other, PROD).send(new PutInsightSelectorsCommand({ EventDataStore: 'prod-mgmt-store', InsightsDestination: storeArn('prod-eu-insights', PROD, 'eu-west-1'), InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] }));
      expect(out.InsightsDestination).toBe(storeArn('prod-eu-insights', PROD, 'eu-west-1'));
      expect((await cloudtrail(other, PROD).send(new GetInsightSelectorsCommand({ EventDataStore: 'prod-mgmt-store' }))).InsightsDestination).toBe(storeArn('prod-eu-insights', PROD, 'eu-west-1'));
      const e = await rejection(cloudtrail(other, PROD).send(new PutInsightSelectorsCommand({ EventDataStore: 'prod-mgmt-store', InsightsDestination: storeArn('dev-insights-store', DEV), InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] })));
      expect(['InvalidInsightSelectorsException', 'InvalidParameterException']).toContain(e.name);
    } finally {
      await other.stop();
    }
  });
});

// `com.amazonaws.organizations#InvalidInputExceptionReason`
describe('Organizations\' InvalidInputException.Reason comes from the documented enum', () => {
  it('a bad NextToken is INVALID_PAGINATION_TOKEN; a MaxResults out of range MAX_VALUE_EXCEEDED', async () => {
    const token = await rejection(organizations(sim).send(new ListAccountsCommand({ NextToken: 'garbage' })));
    expect([token.name, (token as unknown as { Reason: string }).Reason]).toEqual(['InvalidInputException', 'INVALID_PAGINATION_TOKEN']);
    const max = await rejection(organizations(sim).send(new ListAccountsCommand({ MaxResults: 1000 })));
    expect([max.name, (max as unknown as { Reason: string }).Reason]).toEqual(['InvalidInputException', 'MAX_VALUE_EXCEEDED']);
  });
});

// The partition table of the AWS SDKs (aws-eusc, `^eusc\-(de)\-\w+\-\d+$`)
describe('the European Sovereign Cloud partition', () => {
  it('a world with trails in eusc-de-east-1 loads; their ARNs are aws-eusc ones; the Region signs and answers', async () => {
    const eusc = await startSim({ world: testWorld({ trails: [{ account: PROD, name: 'sovereign', homeRegion: 'eusc-de-east-1' }], eventDataStores: [] }) });
    try {
      const out = await cloudtrail(eusc, PROD, 'eusc-de-east-1').send(new DescribeTrailsCommand({}));
      expect(out.trailList!.map((t) => t.TrailARN)).toEqual([`arn:aws-eusc:cloudtrail:eusc-de-east-1:${PROD}:trail/sovereign`]);
      const arn = out.trailList![0]!.TrailARN!;
      expect((await cloudtrail(eusc, PROD, 'eusc-de-east-1').send(new GetTrailStatusCommand({ Name: arn }))).IsLogging).toBe(true);
    } finally {
      await eusc.stop();
    }
  });
});
