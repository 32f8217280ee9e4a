import {
  CloudTrailClient,
  CreateEventDataStoreCommand,
  PutEventSelectorsCommand,
  PutInsightSelectorsCommand,
  StartEventDataStoreIngestionCommand,
  StartLoggingCommand,
  TrailNotFoundException,
  UpdateEventDataStoreCommand,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createdDestinationRef, type Action } from '../../../../lib/domain/actions';
import { applyPlan, localBudget } from '../../../../lib/aws/apply';

const ct = mockClient(CloudTrailClient);
const client = new CloudTrailClient({ region: 'us-east-1' });
const base = { accountId: '222222222222', region: 'us-east-1', why: 'w' };
const T = 'arn:aws:cloudtrail:us-east-1:222222222222:trail/t';
const S = 'arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/s';
const trailPlan: Action[] = [
  { ...base, sourceArn: T, kind: 'putEventSelectors', operation: 'PutEventSelectors', input: { TrailName: T, EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] } },
  { ...base, sourceArn: T, kind: 'startLogging', operation: 'StartLogging', input: { Name: T } },
  { ...base, sourceArn: T, kind: 'putInsightSelectors', operation: 'PutInsightSelectors', input: { TrailName: T, InsightSelectors: [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Management'] }] } },
];
const storePlan: Action[] = [
  { ...base, sourceArn: S, kind: 'updateEventDataStoreSelectors', operation: 'UpdateEventDataStore', input: { EventDataStore: S, AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] } },
  { ...base, sourceArn: S, kind: 'startIngestion', operation: 'StartEventDataStoreIngestion', input: { EventDataStore: S } },
  { ...base, sourceArn: S, kind: 'putInsightSelectors', operation: 'PutInsightSelectors', input: { EventDataStore: S, InsightsDestination: 'dest', InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] } },
];

beforeEach(() => ct.reset());

describe('applyPlan with a destination it creates', () => {
  const ref = createdDestinationRef('222222222222', 'us-east-1', 'insights-destination');
  const created = 'arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/new-dest';
  const createPlan = (source: string): Action[] => [
    {
      ...base,
      sourceArn: source,
      kind: 'createInsightsDestination',
      operation: 'CreateEventDataStore',
      creates: ref,
      input: { Name: 'insights-destination', AdvancedEventSelectors: [{ Name: 'Select Insights events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Insight'] }] }], MultiRegionEnabled: false, OrganizationEnabled: false, RetentionPeriod: 366, BillingMode: 'EXTENDABLE_RETENTION_PRICING', TerminationProtectionEnabled: true, TagsList: [] },
    },
    { ...base, sourceArn: source, kind: 'putInsightSelectors', operation: 'PutInsightSelectors', input: { EventDataStore: source, InsightsDestination: ref, InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] } },
  ];

  it('puts the ARN CreateEventDataStore answers in place of the reference, and the outcome carries the call as made', async () => {
    ct.on(CreateEventDataStoreCommand).resolves({ EventDataStoreArn: created });
    const out = await applyPlan(() => client, createPlan(S), { mode: 'enforce', budget: localBudget(10) });
    expect(out.map((o) => o.status)).toEqual(['applied', 'applied']);
    expect(ct).toHaveReceivedCommandWith(PutInsightSelectorsCommand, { EventDataStore: S, InsightsDestination: created });
    expect((out[1]!.action.input as { InsightsDestination: string }).InsightsDestination).toBe(created);
  });

  it('shows the reference in report mode, and makes no call', async () => {
    const out = await applyPlan(() => client, createPlan(S), { mode: 'report', budget: localBudget(10) });
    expect(out.map((o) => [o.status, o.action.operation])).toEqual([['planned', 'CreateEventDataStore'], ['planned', 'PutInsightSelectors']]);
    expect((out[1]!.action.input as { InsightsDestination: string }).InsightsDestination).toBe(ref);
    expect(ct.calls()).toEqual([]);
  });

  it('skips the PutInsightSelectors when the create failed, giving its write back', async () => {
    ct.on(CreateEventDataStoreCommand).rejects(Object.assign(new Error('Your account has reached the limit'), { name: 'EventDataStoreMaxLimitExceededException', $fault: 'client' }));
    const budget = localBudget(10);
    const out = await applyPlan(() => client, createPlan(S), { mode: 'enforce', budget });
    expect(out.map((o) => o.status)).toEqual(['failed', 'skipped']);
    expect(budget.left()).toBe(10);
    expect(ct).not.toHaveReceivedCommand(PutInsightSelectorsCommand);
  });

  it('lets another source of the run name the store the first one created, and skips it when none was', async () => {
    ct.on(CreateEventDataStoreCommand).resolves({ EventDataStoreArn: created });
    const registry = new Map<string, string>();
    const other = 'arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/other';
    const second = createPlan(other).slice(1);
    expect((await applyPlan(() => client, second, { mode: 'enforce', budget: localBudget(10), created: registry }))[0]).toMatchObject({ status: 'skipped', reason: 'the Insights destination it names was not created' });
    await applyPlan(() => client, createPlan(S), { mode: 'enforce', budget: localBudget(10), created: registry });
    expect((await applyPlan(() => client, second, { mode: 'enforce', budget: localBudget(10), created: registry }))[0]?.status).toBe('applied');
    expect(ct).toHaveReceivedCommandWith(PutInsightSelectorsCommand, { EventDataStore: other, InsightsDestination: created });
  });
});

describe('applyPlan', () => {
  it('sends exactly one call per action, in order, with the planned input', async () => {
    const out = await applyPlan(() => client, [...trailPlan, ...storePlan], { mode: 'enforce', budget: localBudget(10) });
    expect(out.map((o) => o.status)).toEqual(Array(6).fill('applied'));
    expect(ct.calls().map((c) => c.args[0].constructor.name)).toEqual(['PutEventSelectorsCommand', 'StartLoggingCommand', 'PutInsightSelectorsCommand', 'UpdateEventDataStoreCommand', 'StartEventDataStoreIngestionCommand', 'PutInsightSelectorsCommand']);
    expect(ct).toHaveReceivedCommandWith(PutEventSelectorsCommand, { TrailName: T, EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
    expect(ct).toHaveReceivedCommandWith(StartLoggingCommand, { Name: T });
    expect(ct).toHaveReceivedCommandWith(PutInsightSelectorsCommand, { TrailName: T, InsightSelectors: [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Management'] }] });
    expect(ct).toHaveReceivedCommandWith(UpdateEventDataStoreCommand, { EventDataStore: S, AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] });
    expect(ct).toHaveReceivedCommandWith(StartEventDataStoreIngestionCommand, { EventDataStore: S });
    expect(ct).toHaveReceivedCommandWith(PutInsightSelectorsCommand, { EventDataStore: S, InsightsDestination: 'dest', InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] });
  });

  it('sends advanced selectors as AdvancedEventSelectors', async () => {
    const adv: Action = { ...base, sourceArn: T, kind: 'putEventSelectors', operation: 'PutEventSelectors', input: { TrailName: T, AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] } };
    await applyPlan(() => client, [adv], { mode: 'enforce', budget: localBudget(1) });
    expect(ct).toHaveReceivedCommandWith(PutEventSelectorsCommand, { TrailName: T, AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] });
  });

  it('writes nothing in report mode and returns every call as planned', async () => {
    const out = await applyPlan(() => client, trailPlan, { mode: 'report', budget: localBudget(0) });
    expect(ct.calls()).toHaveLength(0);
    expect(out).toEqual(trailPlan.map((action) => ({ action, status: 'planned' })));
  });

  it('makes no write once the lock on its source lapsed, and asks for a retry instead', async () => {
    let held = true;
    ct.on(PutEventSelectorsCommand).callsFake(() => void (held = false)); // frozen past the lease during the first write
    const budget = localBudget(10);
    const out = await applyPlan(() => client, trailPlan, { mode: 'enforce', budget, mayAct: () => held });
    expect(out.map((o) => o.status)).toEqual(['applied', 'failed', 'skipped']);
    expect(out[1]).toMatchObject({ error: { name: 'LockLapsed', retryable: true } });
    expect(ct.calls()).toHaveLength(1);
    expect(budget.left()).toBe(9);
  });

  it('reserves the cap per source: a source that does not fit is skipped whole', async () => {
    const budget = localBudget(4);
    const out = await applyPlan(() => client, [...trailPlan, ...storePlan], { mode: 'enforce', budget });
    expect(out.map((o) => o.status)).toEqual(['applied', 'applied', 'applied', 'skipped', 'skipped', 'skipped']);
    expect(budget.left()).toBe(1);
  });

  it('after a failure skips the source\'s later actions, classifies the error and gives back the unspent budget', async () => {
    ct.on(StartLoggingCommand).rejects(new TrailNotFoundException({ message: 'Unknown trail', $metadata: {} }));
    const budget = localBudget(3);
    const out = await applyPlan(() => client, trailPlan, { mode: 'enforce', budget });
    expect(out.map((o) => o.status)).toEqual(['applied', 'failed', 'skipped']);
    expect(out[1]).toMatchObject({ error: { class: 'gone', name: 'TrailNotFoundException', retryable: false } });
    expect(out[2]).toMatchObject({ reason: 'an earlier action for this source failed' });
    expect(budget.left()).toBe(2);
  });
});
