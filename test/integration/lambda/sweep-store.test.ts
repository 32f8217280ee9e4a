// The DynamoDB sweep store on dynalite, and the sweep functions' configuration.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbSweepStore } from '../../../lib/aws/sweep-store-dynamodb';
import { loadSweepConfig } from '../../../lib/sweep/config';
import { summarize, type AccountRegionReport } from '../../../lib/report/summary';
import { startDynalite } from '../../helpers/dynalite';

let db: Awaited<ReturnType<typeof startDynalite>>;
beforeEach(async () => {
  db = await startDynalite();
  await new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }).send(
    new CreateTableCommand({
      TableName: 'sweeps',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    }),
  );
});
afterEach(() => db.stop());

const report = (key: string, repaired = 1): AccountRegionReport => ({ key, status: 'done', counts: { compliant: 1 }, repaired, writes: repaired, problems: {}, needsPerson: [], at: '2026-11-21T12:00:00.000Z' });

describe('DynamoDbSweepStore', () => {
  it('keeps 12,000 expected account-regions across chunked items, and one report per account-region', async () => {
    const store = new DynamoDbSweepStore(db.doc, 'sweeps');
    const expected = Array.from({ length: 12_000 }, (_, i) => `${String(100000000000 + Math.floor(i / 4))}/r-${i % 4}`);
    await store.start('s-1', expected, '2026-11-21T12:00:00.000Z', '2026-11-21T12:15:00.000Z');
    await store.record('s-1', report(expected[0]!));
    await store.record('s-1', report(expected[0]!, 2)); // a redelivery overwrites its own report
    await store.record('s-1', report(expected[11_999]!));
    const loaded = (await store.load('s-1'))!;
    expect(loaded.expected).toEqual(expected);
    expect(loaded.reports).toHaveLength(2);
    const s = summarize('s-1', loaded.expected, loaded.reports, false);
    expect(s).toMatchObject({ reported: 2, repaired: 3, complete: false });
    expect(s.neverReported).toHaveLength(11_998);
    expect(await store.load('nope')).toBeUndefined();
  }, 60_000);

  it('knows a started sweep from one never started, across store instances (two Lambdas)', async () => {
    await new DynamoDbSweepStore(db.doc, 'sweeps').start('s-known', ['111111111111/us-east-1'], '2026-11-21T12:00:00.000Z', '2026-11-21T12:15:00.000Z');
    const other = new DynamoDbSweepStore(db.doc, 'sweeps');
    expect(await other.known('s-known')).toBe(true);
    expect(await other.known('never-started')).toBe(false);
  });

  it('tells exactly one report that it completed the sweep, however often each account-region reports', async () => {
    const store = new DynamoDbSweepStore(db.doc, 'sweeps');
    const expected = ['111111111111/us-east-1', '111111111111/eu-west-1', '222222222222/us-east-1'];
    await store.start('s-2', expected, '2026-11-21T12:00:00.000Z', '2026-11-21T12:15:00.000Z');
    const answers = [];
    for (const key of [expected[0]!, expected[0]!, expected[1]!]) answers.push((await store.record('s-2', report(key))).completed);
    answers.push(...(await Promise.all([store.record('s-2', report(expected[2]!)), store.record('s-2', report(expected[2]!))])).map((a) => a.completed));
    answers.push((await store.record('s-2', report(expected[1]!))).completed);
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(answers.slice(0, 3)).toEqual([false, false, false]);
    await expect(store.record('never-started', report(expected[0]!))).rejects.toThrow('sweep never-started was never started');
  });

  it('stores the summary once, cut to fit its item, and the time its digest went out; every item expires 35 days after the deadline', async () => {
    const store = new DynamoDbSweepStore(db.doc, 'sweeps');
    const expected = Array.from({ length: 3000 }, (_, i) => `${String(100000000000 + i)}/us-east-1`);
    await store.start('s-3', expected, '2026-11-21T12:00:00.000Z', '2026-11-21T12:15:00.000Z');
    await store.record('s-3', report(expected[0]!));
    const summary = summarize('s-3', expected, [report(expected[0]!)], true);
    expect(await store.saveSummary('s-3', summary)).toBe(true);
    expect(await store.saveSummary('s-3', { ...summary, repaired: 99 })).toBe(false);
    await store.markDigestSent('s-3', '2026-11-21T12:15:01.000Z');
    const loaded = (await store.load('s-3'))!;
    expect(loaded.summary).toMatchObject({ repaired: 1, timedOut: true, omitted: { neverReported: 1999 } });
    expect(loaded.summary!.neverReported).toHaveLength(1000);
    expect(loaded.digestSentAt).toBe('2026-11-21T12:15:01.000Z');
    const items = await db.doc.send(new QueryCommand({ TableName: 'sweeps', KeyConditionExpression: 'pk = :id', ExpressionAttributeValues: { ':id': 's-3' } }));
    expect(new Set(items.Items!.map((i) => i.expiresAt))).toEqual(new Set([Date.parse('2026-11-21T12:15:00.000Z') / 1000 + 35 * 24 * 3600]));
  });
});

describe('loadSweepConfig', () => {
  const base = { MANAGEMENT_ACCOUNT_ID: '111111111111', MEMBER_ROLE_NAME: 'InsightsRemediatorRole', LEDGER_TABLE: 'ledger', IDEMPOTENCY_TABLE: 'idem' };
  it('reads the queue, table and timeout', () => {
    expect(loadSweepConfig({ ...base, SWEEP_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111111111111/insights-sweep', SWEEP_TABLE: 'sweeps' })).toMatchObject({ sweepTable: 'sweeps', sweepTimeoutMinutes: 15 });
  });
  it('names what is wrong', () => {
    expect(() => loadSweepConfig({ ...base, SWEEP_QUEUE_URL: 'queue', SWEEP_TIMEOUT_MINUTES: '0' })).toThrow(/SWEEP_QUEUE_URL must be an SQS queue URL; SWEEP_TABLE is required; SWEEP_TIMEOUT_MINUTES/);
  });
});
