// Conformance: Insights rules (`com.amazonaws.cloudtrail#PutInsightSelectors`,
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutInsightSelectors.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-CLI-enable.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html), one test per
// rule.
import { GetInsightSelectorsCommand, InsightNotEnabledException, PutEventSelectorsCommand, PutInsightSelectorsCommand } from '@aws-sdk/client-cloudtrail';
import type { Simulator } from '../../../sim/server';
import { cloudtrail, DEV, INSIGHT_SELECTOR, MGMT, PROD, rejection, startSim, storeArn, testWorld, trailArn } from '../../helpers/sim';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSim();
});
afterEach(() => sim.stop());

const BOTH = [{ InsightType: 'ApiCallRateInsight' as const }, { InsightType: 'ApiErrorRateInsight' as const }];
const selectorsOf = async (target: { TrailName?: string; EventDataStore?: string }, account = PROD) =>
  (await cloudtrail(sim, account).send(new GetInsightSelectorsCommand(target))).InsightSelectors;

// `com.amazonaws.cloudtrail#InsightSelector$EventCategories`,
// `com.amazonaws.cloudtrail#PutInsightSelectorsRequest$TrailName`, `$InsightsDestination`
describe('shapes and target selection', () => {
  it('PutInsightSelectors replaces the whole list; it does not merge (moto appends)', async () => {
    const ct = cloudtrail(sim, PROD);
    await ct.send(new PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: BOTH }));
    await ct.send(new PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] }));
    expect(await selectorsOf({ TrailName: 'audit' })).toEqual([{ InsightType: 'ApiErrorRateInsight' }]);
  });

  it('an empty list disables Insights', async () => {
    await cloudtrail(sim, MGMT).send(new PutInsightSelectorsCommand({ TrailName: 'org-trail', InsightSelectors: [] }));
    expect(await rejection(cloudtrail(sim, MGMT).send(new GetInsightSelectorsCommand({ TrailName: 'org-trail' })))).toBeInstanceOf(InsightNotEnabledException);
  });

  it('EventCategories are stored as given, replacing earlier ones', async () => {
    const ct = cloudtrail(sim, DEV);
    await ct.send(new PutEventSelectorsCommand({ TrailName: 'dev-trail', EventSelectors: [{ ReadWriteType: 'All', DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::dev/'] }] }] }));
    await ct.send(new PutInsightSelectorsCommand({ TrailName: 'dev-trail', InsightSelectors: [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Management', 'Data'] }] }));
    await ct.send(new PutInsightSelectorsCommand({ TrailName: 'dev-trail', InsightSelectors: [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Data'] }] }));
    expect(await selectorsOf({ TrailName: 'dev-trail' }, DEV)).toEqual([{ InsightType: 'ApiCallRateInsight', EventCategories: ['Data'] }]);
  });

  it.each([
    ['TrailName with EventDataStore', { TrailName: 'audit', EventDataStore: 'prod-mgmt-store' }],
    ['TrailName with InsightsDestination', { TrailName: 'audit', InsightsDestination: 'prod-insights-store' }],
    ['neither TrailName nor EventDataStore', {}],
    ['an EventDataStore to enable without InsightsDestination', { EventDataStore: 'prod-mgmt-store' }],
  ])('rejects %s with InvalidParameterCombinationException', async (_what, target) => {
    const e = await rejection(cloudtrail(sim, PROD).send(new PutInsightSelectorsCommand({ ...target, InsightSelectors: BOTH })));
    expect(e.name).toBe('InvalidParameterCombinationException');
  });

  it('an Insights type listed twice is InvalidInsightSelectorsException', async () => {
    const e = await rejection(cloudtrail(sim, PROD).send(new PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiCallRateInsight' }] })));
    expect(e.name).toBe('InvalidInsightSelectorsException');
  });
});

// `com.amazonaws.cloudtrail#PutInsightSelectors`, `com.amazonaws.cloudtrail#InvalidInsightSelectorsException`;
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-insights-events-with-cloudtrail.html
describe('prerequisites', () => {
  it('ApiCallRateInsight needs write management events', async () => {
    const e = await rejection(cloudtrail(sim, DEV).send(new PutInsightSelectorsCommand({ TrailName: 'dev-trail', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] })));
    expect([e.name, e.message]).toEqual(['InvalidInsightSelectorsException', 'ApiCallRateInsight requires the trail to log write management events.']);
  });

  it('ApiErrorRateInsight needs read or write management events: read-only is enough', async () => {
    await cloudtrail(sim, DEV).send(new PutInsightSelectorsCommand({ TrailName: 'dev-trail', InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] }));
    await cloudtrail(sim, DEV).send(new PutEventSelectorsCommand({ TrailName: 'dev-trail', EventSelectors: [{ IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: [] }] }] }));
    const e = await rejection(cloudtrail(sim, DEV).send(new PutInsightSelectorsCommand({ TrailName: 'dev-trail', InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] })));
    expect(e.name).toBe('InvalidInsightSelectorsException');
  });

  it('Data-category Insights need the trail to log data events', async () => {
    const e = await rejection(cloudtrail(sim, PROD).send(new PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Data'] }] })));
    expect(e.message).toBe('To log CloudTrail Insights on data events, the trail must log read or write data events.');
  });

  it('event data stores take no Data-category Insights', async () => {
    const e = await rejection(cloudtrail(sim, PROD).send(new PutInsightSelectorsCommand({ EventDataStore: 'prod-mgmt-store', InsightsDestination: 'prod-insights-store', InsightSelectors: [{ InsightType: 'ApiErrorRateInsight', EventCategories: ['Data'] }] })));
    expect([e.name, e.message]).toEqual(['InvalidInsightSelectorsException', 'Insights on data events are not supported on event data stores. For event data stores, you can only enable Insights on management events.']);
  });

  it('a read-only store cannot host ApiCallRateInsight', async () => {
    const e = await rejection(cloudtrail(sim, PROD).send(new PutInsightSelectorsCommand({ EventDataStore: 'prod-readonly-store', InsightsDestination: 'prod-insights-store', InsightSelectors: BOTH })));
    expect(e.name).toBe('InvalidInsightSelectorsException');
  });

  it('the destination must log eventCategory Insight', async () => {
    const e = await rejection(cloudtrail(sim, PROD).send(new PutInsightSelectorsCommand({ EventDataStore: 'prod-mgmt-store', InsightsDestination: 'prod-stopped-store', InsightSelectors: BOTH })));
    expect([e.name, e.message]).toEqual(['InvalidInsightSelectorsException', `The destination event data store ${storeArn('prod-stopped-store')} must log eventCategory Insight.`]);
  });

  it('source and destination must belong to the same account', async () => {
    // An organization Insights store of the management account is visible to the delegated administrator, yet cannot
    // receive Insights of the administrator's own stores.
    await sim.stop();
    const orgInsights = { account: MGMT, region: 'us-east-1', id: 'org-insights-store', name: 'org-insights', organization: true, advancedEventSelectors: [INSIGHT_SELECTOR] };
    const devMgmt = { account: DEV, region: 'us-east-1', id: 'dev-mgmt-store', name: 'dev-mgmt' };
    const organization = { ...testWorld().organization, delegatedAdministrators: [{ account: DEV, servicePrincipal: 'cloudtrail.amazonaws.com' }] };
    sim = await startSim({ world: testWorld({ organization, eventDataStores: [...testWorld().eventDataStores!, orgInsights, devMgmt] }) });
    const e = await rejection(cloudtrail(sim, DEV).send(new PutInsightSelectorsCommand({ EventDataStore: 'dev-mgmt-store', InsightsDestination: storeArn('org-insights-store', MGMT), InsightSelectors: BOTH })));
    expect([e.name, e.message]).toEqual(['InvalidInsightSelectorsException', 'The source and destination event data stores must belong to the same AWS account.']);
  });

  it('an Insights store is not a source', async () => {
    const e = await rejection(cloudtrail(sim, PROD).send(new PutInsightSelectorsCommand({ EventDataStore: 'prod-insights-store', InsightsDestination: 'prod-insights-store', InsightSelectors: BOTH })));
    expect(e.name).toBe('InvalidInsightSelectorsException');
  });

  it('a trail whose bucket is missing, locked, or whose key is broken cannot take Insights', async () => {
    await sim.stop();
    sim = await startSim({
      world: testWorld({
        trails: [
          { account: DEV, name: 'gone-bucket', homeRegion: 'us-east-1', s3: 'missing' },
          { account: DEV, name: 'locked-bucket', homeRegion: 'us-east-1', s3: 'accessDenied' },
          { account: DEV, name: 'broken-key', homeRegion: 'us-east-1', kms: 'broken', kmsKeyId: 'alias/k' },
        ],
      }),
    });
    const put = (TrailName: string) => rejection(cloudtrail(sim, DEV).send(new PutInsightSelectorsCommand({ TrailName, InsightSelectors: BOTH })));
    expect((await put('gone-bucket')).name).toBe('S3BucketDoesNotExistException');
    expect((await put('locked-bucket')).name).toBe('InsufficientS3BucketPolicyException');
    expect((await put('broken-key')).name).toBe('InsufficientEncryptionPolicyException');
  });
});

// `com.amazonaws.cloudtrail#PutInsightSelectorsRequest$InsightsDestination`,
// `com.amazonaws.cloudtrail#InsightNotEnabledException`;
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutInsightSelectors.html
describe('event data stores: enable, read back, disable', () => {
  it('enables Insights with a destination, reads them back with EventDataStoreArn and InsightsDestination, disables without one', async () => {
    const ct = cloudtrail(sim, PROD);
    const out = await ct.send(new PutInsightSelectorsCommand({ EventDataStore: 'prod-mgmt-store', InsightsDestination: 'prod-insights-store', InsightSelectors: BOTH }));
    expect(out).toMatchObject({ EventDataStoreArn: storeArn('prod-mgmt-store'), InsightsDestination: storeArn('prod-insights-store') });
    expect(await ct.send(new GetInsightSelectorsCommand({ EventDataStore: storeArn('prod-mgmt-store') }))).toMatchObject({ InsightsDestination: storeArn('prod-insights-store'), InsightSelectors: BOTH });
    await ct.send(new PutInsightSelectorsCommand({ EventDataStore: 'prod-mgmt-store', InsightSelectors: [] }));
    expect((await rejection(ct.send(new GetInsightSelectorsCommand({ EventDataStore: 'prod-mgmt-store' })))).name).toBe('InsightNotEnabledException');
  });

  it('GetInsightSelectors on a trail without Insights raises InsightNotEnabledException with the documented message', async () => {
    const e = await rejection(cloudtrail(sim, PROD).send(new GetInsightSelectorsCommand({ TrailName: 'audit' })));
    expect(e.message).toBe(`Trail ${trailArn('audit')} does not have Insights enabled. Edit the trail settings to enable Insights, and then try the operation again.`);
  });

  it('GetInsightSelectors with both targets, or none, is InvalidParameterCombinationException', async () => {
    expect((await rejection(cloudtrail(sim, PROD).send(new GetInsightSelectorsCommand({ TrailName: 'audit', EventDataStore: 'prod-mgmt-store' })))).name).toBe('InvalidParameterCombinationException');
    expect((await rejection(cloudtrail(sim, PROD).send(new GetInsightSelectorsCommand({})))).name).toBe('InvalidParameterCombinationException');
  });
});

// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html (capability table)
describe('organization sources', () => {
  it('Insights on an organization store are management-account only: not even the delegated administrator', async () => {
    await sim.stop();
    sim = await startSim({ world: testWorld({ organization: { ...testWorld().organization, delegatedAdministrators: [{ account: DEV, servicePrincipal: 'cloudtrail.amazonaws.com' }] } }) });
    const put = (account: string) =>
      cloudtrail(sim, account).send(new PutInsightSelectorsCommand({ EventDataStore: storeArn('org-store-0001', MGMT), InsightsDestination: storeArn('mgmt-insights-store', MGMT), InsightSelectors: BOTH }));
    expect((await rejection(put(DEV))).name).toBe('NotOrganizationMasterAccountException');
    // a member cannot see it: PutInsightSelectors' modeled InvalidParameterException (it models no EventDataStoreNotFoundException)
    expect((await rejection(put(PROD))).name).toBe('InvalidParameterException');
    expect((await put(MGMT)).InsightsDestination).toBe(storeArn('mgmt-insights-store', MGMT));
  });

  it('the organization trail takes Insights from the management account only, in its home region', async () => {
    const orgTrail = trailArn('org-trail', MGMT);
    expect((await rejection(cloudtrail(sim, PROD).send(new PutInsightSelectorsCommand({ TrailName: orgTrail, InsightSelectors: BOTH })))).name).toBe('NotOrganizationMasterAccountException');
    expect((await rejection(cloudtrail(sim, MGMT, 'eu-west-1').send(new PutInsightSelectorsCommand({ TrailName: orgTrail, InsightSelectors: BOTH })))).name).toBe('InvalidHomeRegionException');
    await cloudtrail(sim, MGMT).send(new PutInsightSelectorsCommand({ TrailName: orgTrail, InsightSelectors: BOTH }));
    expect(await selectorsOf({ TrailName: orgTrail }, PROD)).toEqual(BOTH);
  });
});
