// Writes events/*.json: real-shaped EventBridge events for sam local invoke and the tests, recorded from the
// simulator's CloudTrail stream (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html) while a person (alice) and the product's role make each call.
// Run: npm run gen:events
import { CloudTrailClient, type CloudTrailClientConfig } from '@aws-sdk/client-cloudtrail';
import * as ct from '@aws-sdk/client-cloudtrail';
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { Simulator } from '../sim/server';
import type { EventBridgeEvent } from '../sim/records';

async function main() {
  const world = parse(readFileSync('sim/worlds/demo.yaml', 'utf8'));
  const sim = await Simulator.start({ world, throttling: { enabled: false }, transitionMs: 0 });
  const events: EventBridgeEvent[] = [];
  sim.onEvent((e) => events.push(e));
  const cfg = (accessKeyId: string, region = 'us-east-1'): CloudTrailClientConfig => ({ endpoint: sim.endpoint, region, credentials: { accessKeyId, secretAccessKey: 'x' }, maxAttempts: 1 });
  const alice = new CloudTrailClient(cfg('AKIAALICE'));
  const save = (file: string, mutate?: (e: EventBridgeEvent) => void) => {
    const e = events.pop();
    if (!e) throw new Error(`no event for ${file}`);
    mutate?.(e);
    writeFileSync(`events/${file}.json`, `${JSON.stringify(e, null, 2)}\n`);
    events.length = 0;
  };
  const T = 'arn:aws:cloudtrail:us-east-1:222222222222:trail/audit';
  await alice.send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] }));
  save('put-insight-selectors-trail');
  await alice.send(new ct.PutInsightSelectorsCommand({ EventDataStore: 'prod-lake-0001', InsightSelectors: [] }));
  save('put-insight-selectors-event-data-store-disable');
  await alice.send(new ct.PutEventSelectorsCommand({ TrailName: 'audit', EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: [] }] }] }));
  save('put-event-selectors');
  await alice.send(new ct.StopLoggingCommand({ Name: T }));
  save('stop-logging');
  await alice.send(new ct.StartLoggingCommand({ Name: 'audit' }));
  save('start-logging');
  await alice.send(new ct.UpdateTrailCommand({ Name: 'audit', S3KeyPrefix: 'moved' }));
  save('update-trail');
  await alice.send(new ct.CreateTrailCommand({ Name: 'new-trail', S3BucketName: 'prod-audit-logs', IsMultiRegionTrail: true }));
  save('create-trail');
  await alice.send(new ct.DeleteTrailCommand({ Name: 'new-trail' }));
  save('delete-trail');
  await alice.send(new ct.StartEventDataStoreIngestionCommand({ EventDataStore: 'prod-lake-0001' }));
  save('start-event-data-store-ingestion');
  await alice.send(new ct.StopEventDataStoreIngestionCommand({ EventDataStore: 'arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/prod-lake-0001' }));
  save('stop-event-data-store-ingestion');
  await alice.send(new ct.UpdateEventDataStoreCommand({ EventDataStore: 'prod-insights-0001', RetentionPeriod: 400 }));
  save('update-event-data-store');
  const created = await alice.send(new ct.CreateEventDataStoreCommand({ Name: 'alice-store', AdvancedEventSelectors: [{ Name: 'Read-only', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] }] }], TerminationProtectionEnabled: false }));
  save('create-event-data-store');
  await alice.send(new ct.DeleteEventDataStoreCommand({ EventDataStore: created.EventDataStoreArn }));
  save('delete-event-data-store');
  await alice.send(new ct.AddTagsCommand({ ResourceId: T, TagsList: [{ Key: 'insights', Value: 'opt-out' }] }));
  save('add-tags');
  await alice.send(new ct.RemoveTagsCommand({ ResourceId: T, TagsList: [{ Key: 'insights' }] }));
  save('remove-tags');
  const restored = await alice.send(new ct.CreateEventDataStoreCommand({ Name: 'restorable', TerminationProtectionEnabled: false }));
  await alice.send(new ct.DeleteEventDataStoreCommand({ EventDataStore: restored.EventDataStoreArn }));
  await alice.send(new ct.RestoreEventDataStoreCommand({ EventDataStore: restored.EventDataStoreArn }));
  save('restore-event-data-store');
  // The simulator does not serve PutEventConfiguration: the record is shaped by the naming rule of the other records (requestParameters in lowerCamelCase, INFERRED from AWS's example records).
  await alice.send(new ct.StartLoggingCommand({ Name: 'audit' }));
  save('put-event-configuration', (e) =>
    Object.assign(e.detail, {
      eventName: 'PutEventConfiguration',
      requestParameters: { trailName: 'audit', aggregationConfigurations: [{ eventCategory: 'Data', templates: ['API_ACTIVITY'] }] },
      responseElements: { trailARN: T, aggregationConfigurations: [{ eventCategory: 'Data', templates: ['API_ACTIVITY'] }] },
    }),
  );
  // Ignored cases.
  // audit logs no management events now: ApiCallRateInsight is refused.
  await alice.send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] })).then(() => { throw new Error('expected a refusal'); }, () => undefined);
  save('ignored-failed-call');
  const role = await new STSClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: '111111111111', secretAccessKey: 'x' } }).send(
    new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222222222222:role/InsightsRemediatorRole', RoleSessionName: 'insights-remediator' }),
  );
  const product = new CloudTrailClient({ ...cfg('x'), credentials: { accessKeyId: role.Credentials!.AccessKeyId!, secretAccessKey: role.Credentials!.SecretAccessKey!, sessionToken: role.Credentials!.SessionToken! } });
  await product.send(new ct.PutEventSelectorsCommand({ TrailName: T, EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }] }));
  save('own-role-write');
  sim.injectInsightEvent({ account: '222222222222', region: 'us-east-1', insightType: 'ApiCallRateInsight', eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey' });
  save('insight-trail');
  await alice.send(new ct.StartLoggingCommand({ Name: 'audit' }));
  save('ignored-other-source', (e) => Object.assign(e.detail, { eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy' }));
  await alice.send(new ct.StartLoggingCommand({ Name: 'audit' }));
  save('ignored-read-only', (e) => Object.assign(e.detail, { eventName: 'GetTrailStatus', readOnly: true, responseElements: null }));
  await sim.stop();
  console.log('wrote events/*.json');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
