// The DynamoDB sweep store on dynalite, and the sweep functions' configuration.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbSweepStore } from '../../../lib/aws/sweep-store-dynamodb';
import { loadSweepConfig } from '../../../lib/sweep/config';
import { summarize, type AccountRegionReport } from '../../../lib/sweep/summary';
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
