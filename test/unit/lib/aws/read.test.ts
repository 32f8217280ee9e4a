import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventDataStoreCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailStatusCommand,
  InsightNotEnabledException,
  ListEventDataStoresCommand,
  ListTagsCommand,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { readAccountRegion } from '../../../../lib/aws/read';
import { aPolicy } from '../../../helpers/builders';

const ct = mockClient(CloudTrailClient);
const client = new CloudTrailClient({ region: 'us-east-1' });
const ACCOUNT = '222222222222';
const arn = (name: string) => `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${name}`;
const store = (id: string) => `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:eventdatastore/${id}`;
const where = { accountId: ACCOUNT, region: 'us-east-1' };
const trailsOnly = aPolicy({ eventDataStores: { enabled: false } });
const storesOnly = aPolicy({ trails: { enabled: false } });

beforeEach(() => {
  ct.reset();
  ct.on(GetTrailStatusCommand).resolves({ IsLogging: true, StartLoggingTime: new Date('2026-11-01T00:00:00Z') });
});

describe('readAccountRegion: trails', () => {
  it('calls DescribeTrails once with shadows, and reads only home trails in detail', async () => {
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [
        { Name: 'main', TrailARN: arn('main'), HomeRegion: 'us-east-1', HasCustomEventSelectors: false, HasInsightSelectors: false, IsMultiRegionTrail: true },
        { Name: 'org', TrailARN: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org', HomeRegion: 'us-east-1', IsOrganizationTrail: true, HasInsightSelectors: true },
        { Name: 'elsewhere', TrailARN: `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/elsewhere`, HomeRegion: 'eu-west-1', IsMultiRegionTrail: true },
      ],
    });
    const read = await readAccountRegion(client, trailsOnly, where);
    expect(ct).toHaveReceivedCommandTimes(DescribeTrailsCommand, 1);
    expect(ct).toHaveReceivedCommandWith(DescribeTrailsCommand, {});
    expect(ct).toHaveReceivedCommandTimes(GetTrailStatusCommand, 1);
    expect(ct).toHaveReceivedCommandWith(GetTrailStatusCommand, { Name: arn('main') });
    expect(read.sources.map((s) => s.name)).toEqual(['main']);
    expect(read.shadows.map((s) => [s.name, s.ownerAccountId, s.hasInsightSelectors])).toEqual([
      ['org', '111111111111', true],
      ['elsewhere', ACCOUNT, false],
    ]);
  });

  it('spares GetEventSelectors without custom selectors (the default logs all management events) and GetInsightSelectors without Insights', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [{ Name: 'main', TrailARN: arn('main'), HomeRegion: 'us-east-1', HasCustomEventSelectors: false, HasInsightSelectors: false }] });
    const read = await readAccountRegion(client, trailsOnly, where);
    expect(ct).not.toHaveReceivedCommand(GetEventSelectorsCommand);
    expect(ct).not.toHaveReceivedCommand(GetInsightSelectorsCommand);
    expect(read.sources[0]).toMatchObject({ eventSelectors: { kind: 'basic', selectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] }, insightSelectors: [] });
  });

  it('reads custom selectors and Insights when DescribeTrails says they exist', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [{ Name: 'main', TrailARN: arn('main'), HomeRegion: 'us-east-1', HasCustomEventSelectors: true, HasInsightSelectors: true, IsOrganizationTrail: false }] });
    ct.on(GetEventSelectorsCommand).resolves({ TrailARN: arn('main'), AdvancedEventSelectors: [{ Name: 'm', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] });
    ct.on(GetInsightSelectorsCommand).resolves({ TrailARN: arn('main'), InsightSelectors: [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Management'] }] });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: false, StopLoggingTime: new Date('2026-11-20T00:00:00Z'), LatestDeliveryError: 'AccessDenied' });
    const [t] = (await readAccountRegion(client, trailsOnly, where)).sources;
    expect(ct).toHaveReceivedCommandWith(GetEventSelectorsCommand, { TrailName: arn('main') });
    expect(ct).toHaveReceivedCommandWith(GetInsightSelectorsCommand, { TrailName: arn('main') });
    expect(t).toMatchObject({
      kind: 'trail',
      eventSelectors: { kind: 'advanced' },
      insightSelectors: [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Management'] }],
      isLogging: false,
      stopLoggingTime: '2026-11-20T00:00:00.000Z',
      latestDeliveryError: 'AccessDenied',
    });
  });

  it('treats InsightNotEnabledException as "Insights off"', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [{ Name: 'main', TrailARN: arn('main'), HomeRegion: 'us-east-1', HasInsightSelectors: true }] });
    ct.on(GetInsightSelectorsCommand).rejects(new InsightNotEnabledException({ message: 'not enabled', $metadata: {} }));
    expect((await readAccountRegion(client, trailsOnly, where)).sources[0]?.insightSelectors).toEqual([]);
  });

  it('reads tags in batches of 20 only when the policy selects by tag, and skips details of unselected trails', async () => {
    const trails = Array.from({ length: 21 }, (_, i) => ({ Name: `t${i}-trail`, TrailARN: arn(`t${i}-trail`), HomeRegion: 'us-east-1' }));
    ct.on(DescribeTrailsCommand).resolves({ trailList: trails });
    ct.on(ListTagsCommand).callsFake((input: { ResourceIdList: string[] }) => ({ ResourceTagList: input.ResourceIdList.map((id) => ({ ResourceId: id, TagsList: id.endsWith('t0-trail') ? [{ Key: 'insights', Value: 'on' }] : [] })) }));
    const read = await readAccountRegion(client, aPolicy({ eventDataStores: { enabled: false }, trails: { select: { tags: { insights: 'on' } } } }), where);
    expect(ct).toHaveReceivedCommandTimes(ListTagsCommand, 2);
    expect(ct).toHaveReceivedCommandTimes(GetTrailStatusCommand, 1);
    expect(read.sources.map((s) => s.name)).toEqual(['t0-trail']);
    expect(read.notSelected).toHaveLength(20);
    expect(read.notSelected[0]?.reason).toBe('tag insights=on required by trails.select.tags is absent');
  });

  it('reads just the named source when told to', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [{ Name: 'a-trail', TrailARN: arn('a-trail'), HomeRegion: 'us-east-1' }, { Name: 'b-trail', TrailARN: arn('b-trail'), HomeRegion: 'us-east-1' }] });
    const read = await readAccountRegion(client, aPolicy(), where, { only: new Set([arn('b-trail')]) });
    expect(read.sources.map((s) => s.name)).toEqual(['b-trail']);
    expect(ct).not.toHaveReceivedCommand(ListEventDataStoresCommand);
  });
});

describe('readAccountRegion: event data stores', () => {
  beforeEach(() => {
    ct.on(ListEventDataStoresCommand).resolves({
      EventDataStores: [
        { EventDataStoreArn: store('mgmt'), Name: 'mgmt' },
        { EventDataStoreArn: store('dest'), Name: 'dest' },
        { EventDataStoreArn: 'arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/org', Name: 'org' },
      ],
    });
    ct.on(GetEventDataStoreCommand, { EventDataStore: store('mgmt') }).resolves({ EventDataStoreArn: store('mgmt'), Name: 'mgmt', Status: 'ENABLED', AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] });
    ct.on(GetEventDataStoreCommand, { EventDataStore: store('dest') }).resolves({ EventDataStoreArn: store('dest'), Name: 'dest', Status: 'ENABLED', AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Insight'] }] }] });
    ct.on(GetEventDataStoreCommand, { EventDataStore: 'arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/org' }).resolves({ Name: 'org', Status: 'ENABLED', OrganizationEnabled: true, AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] });
    ct.on(GetInsightSelectorsCommand).resolves({ EventDataStoreArn: store('mgmt'), InsightsDestination: store('dest'), InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] });
  });

  it('lists once with the largest page, gets every store it owns, and asks Insights only of management sources among them', async () => {
    const read = await readAccountRegion(client, storesOnly, where);
    expect(ct).toHaveReceivedCommandTimes(ListEventDataStoresCommand, 1);
    expect(ct).toHaveReceivedCommandWith(ListEventDataStoresCommand, { MaxResults: 1000 });
    // The organization store (seen by a delegated administrator) is judged where it is owned: not read here.
    expect(ct).toHaveReceivedCommandTimes(GetEventDataStoreCommand, 2);
    expect(ct).toHaveReceivedCommandTimes(GetInsightSelectorsCommand, 1);
    expect(ct).toHaveReceivedCommandWith(GetInsightSelectorsCommand, { EventDataStore: store('mgmt') });
    expect(read.sources.map((s) => s.name)).toEqual(['mgmt', 'dest']);
    expect(read.sources[0]).toMatchObject({ kind: 'eventDataStore', insightsDestination: store('dest'), insightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] });
    expect(read.shadows).toMatchObject([{ name: 'org', ownerAccountId: '111111111111', organization: true }]);
    expect(read.eventDataStores.map((s) => [s.name, s.eventCategories])).toEqual([
      ['mgmt', ['Management']],
      ['dest', ['Insight']],
    ]);
  });
});
