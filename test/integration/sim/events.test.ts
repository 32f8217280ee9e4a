// Conformance: the CloudTrail records and EventBridge envelopes every write produces
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html), Insights events
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-understanding.html), LookupEvents and
// tags (`com.amazonaws.cloudtrail#LookupEvents`, `com.amazonaws.cloudtrail#AddTags`,
// `com.amazonaws.cloudtrail#ListTags`).
import {
  AddTagsCommand,
  CloudTrailClient,
  DescribeTrailsCommand,
  ListTagsCommand,
  LookupEventsCommand,
  PutEventSelectorsCommand,
  PutInsightSelectorsCommand,
  RemoveTagsCommand,
  StartEventDataStoreIngestionCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { EventBridgeEvent } from '../../../sim/records';
import type { Simulator } from '../../../sim/server';
import { cloudtrail, DEV, MGMT, PROD, rejection, ROLE, startSim, storeArn, sts, testWorld, trailArn } from '../../helpers/sim';

let sim: Simulator;
let events: EventBridgeEvent[];
beforeEach(async () => {
  sim = await startSim();
  events = [];
  sim.onEvent((e) => events.push(e));
});
afterEach(() => sim.stop());

// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html; records:
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html
describe('"AWS API Call via CloudTrail"', () => {
  it('a successful write produces the envelope and the record with lowerCamelCase parameters and elements', async () => {
    await cloudtrail(sim, 'AKIAALICE').send(
      new PutEventSelectorsCommand({ TrailName: 'audit', EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: [] }] }] }),
    );
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e).toMatchObject({ version: '0', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.cloudtrail', account: PROD, region: 'us-east-1', resources: [] });
    expect(e.detail).toMatchObject({
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'PutEventSelectors',
      awsRegion: 'us-east-1',
      recipientAccountId: PROD,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      eventCategory: 'Management',
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${PROD}:user/alice`, accountId: PROD, userName: 'alice' },
      requestParameters: { trailName: 'audit', eventSelectors: [{ readWriteType: 'ReadOnly', includeManagementEvents: false, dataResources: [{ type: 'AWS::S3::Object', values: [] }] }] },
      responseElements: { trailARN: trailArn('audit'), eventSelectors: [{ readWriteType: 'ReadOnly' }] },
    });
    expect(e.detail.errorCode).toBeUndefined();
    expect(Date.parse(e.time)).not.toBeNaN();
  });

  it('an operation without output has responseElements null', async () => {
    await cloudtrail(sim, PROD).send(new StopLoggingCommand({ Name: 'audit' }));
    expect(events[0]!.detail).toMatchObject({ eventName: 'StopLogging', requestParameters: { name: 'audit' }, responseElements: null });
  });

  it('a failed write produces a record with errorCode and errorMessage', async () => {
    await rejection(cloudtrail(sim, DEV).send(new PutInsightSelectorsCommand({ TrailName: 'dev-trail', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] })));
    expect(events[0]!.detail).toMatchObject({ eventName: 'PutInsightSelectors', errorCode: 'InvalidInsightSelectorsException', errorMessage: expect.stringMatching(/write management events/), responseElements: null });
  });

  // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
  it('an assumed-role caller carries sessionContext.sessionIssuer (the product\'s loop guard)', async () => {
    const c = (await sts(sim, MGMT).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${PROD}:role/${ROLE}`, RoleSessionName: 'remediator' }))).Credentials!;
    const client = new CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
    await client.send(new StartEventDataStoreIngestionCommand({ EventDataStore: 'prod-stopped-store' }));
    expect(events[0]!.detail).toMatchObject({
      eventName: 'StartEventDataStoreIngestion',
      requestParameters: { eventDataStore: 'prod-stopped-store' },
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${PROD}:assumed-role/${ROLE}/remediator`,
        sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${PROD}:role/${ROLE}`, accountId: PROD, userName: ROLE } },
      },
    });
  });

  it('timestamps inside responseElements render as CloudTrail records them', async () => {
    const { UpdateEventDataStoreCommand } = await import('@aws-sdk/client-cloudtrail');
    await cloudtrail(sim, PROD).send(new UpdateEventDataStoreCommand({ EventDataStore: 'prod-mgmt-store', RetentionPeriod: 400 }));
    expect((events[0]!.detail.responseElements as { updatedTimestamp: string }).updatedTimestamp).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M$/);
  });

  it('reads produce no event', async () => {
    await cloudtrail(sim, PROD).send(new DescribeTrailsCommand({}));
    expect(events).toEqual([]);
  });

  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html ("you must enable a
  // CloudTrail trail with logging")
  it('events reach EventBridge only where a logging trail covers the account and region', async () => {
    await sim.stop();
    sim = await startSim({ world: testWorld({ trails: [{ account: DEV, name: 'only-trail', homeRegion: 'us-east-1' }] }) });
    events = [];
    sim.onEvent((e) => events.push(e));
    await cloudtrail(sim, DEV).send(new StopLoggingCommand({ Name: 'only-trail' }));
    await cloudtrail(sim, DEV).send(new StopLoggingCommand({ Name: 'only-trail' }));
    // The StopLogging itself is the last event delivered; the history still records both.
    expect(events.map((e) => e.detail.eventName)).toEqual(['StopLogging']);
    const history = await cloudtrail(sim, DEV).send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'StopLogging' }] }));
    expect(history.Events).toHaveLength(2);
  });
});

// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-insights-fields-trails.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-insights-fields-lake.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-insights-events.html
describe('Insights events', () => {
  it('injected trail Insights arrive as "AWS Insight via CloudTrail" and through LookupEvents EventCategory insight', async () => {
    const e = sim.injectInsightEvent({ account: PROD, region: 'us-east-1', insightType: 'ApiCallRateInsight' });
    expect(e).toMatchObject({ 'detail-type': 'AWS Insight via CloudTrail', account: PROD, detail: { eventType: 'AwsCloudTrailInsight', eventCategory: 'Insight', insightDetails: { state: 'Start', insightType: 'ApiCallRateInsight' } } });
    expect(events).toEqual([e]);
    const found = await cloudtrail(sim, PROD).send(new LookupEventsCommand({ EventCategory: 'insight' }));
    expect(found.Events).toHaveLength(1);
    expect(JSON.parse(found.Events![0]!.CloudTrailEvent!)).toMatchObject({ eventType: 'AwsCloudTrailInsight' });
    expect((await cloudtrail(sim, PROD).send(new LookupEventsCommand({}))).Events).toEqual([]);
  });

  it('event data store Insights use the flattened Lake fields', () => {
    const e = sim.injectInsightEvent({ account: PROD, region: 'us-east-1', insightType: 'ApiErrorRateInsight', sourceEventDataStore: storeArn('prod-mgmt-store') });
    expect(e.detail).toMatchObject({ insightSource: storeArn('prod-mgmt-store'), insightState: 'Start', insightType: 'ApiErrorRateInsight' });
  });
});

// `com.amazonaws.cloudtrail#LookupEvents`, `com.amazonaws.cloudtrail#LookupEventsRequest$EventCategory`
describe('LookupEvents', () => {
  it('filters by one attribute, pages, and rejects two attributes or a reversed time range', async () => {
    for (let i = 0; i < 3; i++) await cloudtrail(sim, PROD).send(new StopLoggingCommand({ Name: 'audit' }));
    const page = await cloudtrail(sim, PROD).send(new LookupEventsCommand({ MaxResults: 2, LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'admin' }] }));
    expect(page.Events).toHaveLength(2);
    expect(page.NextToken).toBeDefined();
    const two = [{ AttributeKey: 'EventName' as const, AttributeValue: 'x' }, { AttributeKey: 'Username' as const, AttributeValue: 'y' }];
    expect((await rejection(cloudtrail(sim, PROD).send(new LookupEventsCommand({ LookupAttributes: two })))).name).toBe('InvalidLookupAttributesException');
    expect((await rejection(cloudtrail(sim, PROD).send(new LookupEventsCommand({ StartTime: new Date(2000), EndTime: new Date(1000) })))).name).toBe('InvalidTimeRangeException');
  });
});

// `com.amazonaws.cloudtrail#TagsLimitExceededException`, `com.amazonaws.cloudtrail#ListTagsRequest$ResourceIdList`,
// `com.amazonaws.cloudtrail#AddTags`
describe('tags', () => {
  it('adds, lists and removes tags on trails and stores; at most 50; at most 20 resources per ListTags', async () => {
    const ct = cloudtrail(sim, PROD);
    await ct.send(new AddTagsCommand({ ResourceId: trailArn('audit'), TagsList: [{ Key: 'insights', Value: 'required' }] }));
    await ct.send(new AddTagsCommand({ ResourceId: storeArn('prod-mgmt-store'), TagsList: [{ Key: 'team', Value: 'sec' }] }));
    const listed = await ct.send(new ListTagsCommand({ ResourceIdList: [trailArn('audit'), storeArn('prod-mgmt-store')] }));
    expect(listed.ResourceTagList).toEqual([
      { ResourceId: trailArn('audit'), TagsList: [{ Key: 'insights', Value: 'required' }] },
      { ResourceId: storeArn('prod-mgmt-store'), TagsList: [{ Key: 'team', Value: 'sec' }] },
    ]);
    await ct.send(new RemoveTagsCommand({ ResourceId: trailArn('audit'), TagsList: [{ Key: 'insights' }] }));
    expect((await ct.send(new ListTagsCommand({ ResourceIdList: [trailArn('audit')] }))).ResourceTagList?.[0]?.TagsList).toEqual([]);
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect((await rejection(ct.send(new AddTagsCommand({ ResourceId: trailArn('audit'), TagsList: many })))).name).toBe('TagsLimitExceededException');
    expect((await rejection(ct.send(new ListTagsCommand({ ResourceIdList: Array.from({ length: 21 }, () => trailArn('audit')) })))).name).toBe('InvalidParameterException');
    expect((await rejection(ct.send(new AddTagsCommand({ ResourceId: 'arn:aws:s3:::bucket', TagsList: [] })))).name).toBe('ResourceTypeNotSupportedException');
  });
});
