// The Lambda as deployed: middy + Powertools (idempotency on DynamoDB, logger, metrics) around
// handleEvent, with the DynamoDB ledger; dynalite for DynamoDB, the simulator for CloudTrail.
import { PutInsightSelectorsCommand, CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { Context } from 'aws-lambda';
import { depsFromConfig, sweepRequester, wire } from '../../../functions/on-cloudtrail-change/handler';
import { parseSweepMessage } from '../../../lib/sweep/messages';
import { AwsClients } from '../../../lib/aws/clients';
import { DynamoDbLedger } from '../../../lib/aws/ledger-dynamodb';
import { loadConfig, ConfigError } from '../../../lib/config';
import type { EventBridgeEvent } from '../../../sim/records';
import type { Simulator } from '../../../sim/server';
import { startDynalite } from '../../helpers/dynalite';
import { MGMT, PROD, ROLE, startSim, trailArn } from '../../helpers/sim';

const context = { functionName: 'insights-remediator', awsRequestId: 'req', getRemainingTimeInMillis: () => 60_000, invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:f' } as unknown as Context;
let sim: Simulator;
let db: Awaited<ReturnType<typeof startDynalite>>;
let events: EventBridgeEvent[];

beforeEach(async () => {
  sim = await startSim();
  events = [];
  sim.onEvent((e) => events.push(e));
  db = await startDynalite();
  await db.createTables('ledger', 'idempotency');
});
afterEach(async () => {
  await sim.stop();
  await db.stop();
});

function build() {
  const config = loadConfig({ MANAGEMENT_ACCOUNT_ID: MGMT, MEMBER_ROLE_NAME: ROLE, LEDGER_TABLE: 'ledger', IDEMPOTENCY_TABLE: 'idempotency', POLICY: 'version: 1\nmode: enforce\nscope: {regions: {include: [us-east-1, eu-west-1]}}\n' });
  const aws = new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
  const ledger = new DynamoDbLedger(db.doc, 'ledger');
  return { handler: wire(config, depsFromConfig(config, ledger, aws), db.doc), ledger };
}
const puts = () => sim.calls.filter((c) => c.operation === 'PutInsightSelectors' && c.account === PROD && c.status === 200).length;

describe('on-cloudtrail-change', () => {
  it('repairs, records the ledger in DynamoDB, and makes no second write for a repeated event id', async () => {
    const { handler, ledger } = build();
    await new CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAALICE', secretAccessKey: 'x' } }).send(new PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    const drift = events.shift()!;
    const before = puts();
    const first = await handler(drift as never, context);
    expect(first).toMatchObject({ decision: 'check', target: trailArn('audit'), writes: 1 });
    const again = await handler(structuredClone(drift) as never, context);
    expect(again).toEqual(first); // the stored result, not a new run
    expect(puts() - before).toBe(1);
    const record = await ledger.get(trailArn('audit'));
    expect(record).toMatchObject({ kind: 'trail', accountId: PROD, lastDrift: { eventName: 'PutInsightSelectors', actor: `arn:aws:iam::${PROD}:user/alice` }, lastRepair: { operations: ['PutInsightSelectors'] } });
    expect((await ledger.sourcesIn(PROD, 'us-east-1')).map((r) => r.arn)).toEqual([trailArn('audit')]);
  });

  it('answers an event that is not an EventBridge event with the reason, without throwing or writing', async () => {
    const { handler } = build();
    const out = await handler({ id: 'not-eventbridge', hello: 'world' } as never, context);
    expect(out).toMatchObject({ decision: 'ignore', writes: 0 });
    expect(sim.calls.filter((c) => c.status === 200 && /^(Put|Start|Update)/.test(c.operation))).toEqual([]);
  });

  it('fails the cold start with a message naming each missing setting', () => {
    expect(() => loadConfig({ MANAGEMENT_ACCOUNT_ID: '12', LEDGER_TABLE: 'ledger' })).toThrow(ConfigError);
    expect(() => loadConfig({ MANAGEMENT_ACCOUNT_ID: '12', LEDGER_TABLE: 'ledger' })).toThrow(/MANAGEMENT_ACCOUNT_ID must be a 12-digit account id; MEMBER_ROLE_NAME is required; IDEMPOTENCY_TABLE is required/);
  });

  it('takes every role named in FUNCTION_ROLE_NAME as the product\'s own, and refuses a list that is not role names', () => {
    const base = { MANAGEMENT_ACCOUNT_ID: MGMT, MEMBER_ROLE_NAME: ROLE, LEDGER_TABLE: 'ledger', IDEMPOTENCY_TABLE: 'idempotency' };
    expect(loadConfig({ ...base, FUNCTION_ROLE_NAME: 'stack-OnCloudTrailChangeRole-1A,stack-SweepWorkerRole-2B' }).functionRoleNames).toEqual(['stack-OnCloudTrailChangeRole-1A', 'stack-SweepWorkerRole-2B']);
    expect(() => loadConfig({ ...base, FUNCTION_ROLE_NAME: 'a role,' })).toThrow('invalid configuration: FUNCTION_ROLE_NAME must be IAM role names, comma-separated');
  });
});

describe('the DynamoDB ledger', () => {
  const where = { arn: trailArn('audit'), kind: 'trail' as const, accountId: PROD, region: 'us-east-1' };

  it('writes optimistically by version', async () => {
    const ledger = new DynamoDbLedger(db.doc, 'ledger');
    const { newRecord } = await import('../../../lib/ledger/ledger');
    expect(await ledger.put({ ...newRecord(where), version: 1 })).toBe(true);
    expect(await ledger.put({ ...newRecord(where), version: 1 })).toBe(false);
    expect(await ledger.put({ ...newRecord(where), version: 2 })).toBe(true);
    expect((await ledger.get(where.arn))?.version).toBe(2);
  });

  it('lets one invocation at a time work on a source, across ledger instances (two Lambdas)', async () => {
    const a = new DynamoDbLedger(db.doc, 'ledger', (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 10))));
    const b = new DynamoDbLedger(db.doc, 'ledger', (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 10))));
    const order: string[] = [];
    const work = (name: string) => async () => {
      order.push(`${name}>`);
      await new Promise((r) => setTimeout(r, 30));
      order.push(`<${name}`);
    };
    await Promise.all([a.withLock(where.arn, work('a')), b.withLock(where.arn, work('b'))]);
    // Whoever goes first finishes before the other starts.
    expect([['a>', '<a', 'b>', '<b'], ['b>', '<b', 'a>', '<a']]).toContainEqual(order);
  });
});

describe('asking for a sweep of what a change took coverage from', () => {
  it('sends the sweep worker a start message it accepts, with a new sweep id each time', async () => {
    const sent: string[] = [];
    const request = sweepRequester({ send: async (body) => void sent.push(body) }, () => new Date('2026-12-02T10:00:00.000Z'));
    const ids = [await request({ accounts: 'organization', regions: ['eu-west-1'] }, 'UpdateTrail on x'), await request({ accounts: [PROD] }, 'DeleteTrail on y')];
    expect(new Set(ids).size).toBe(2);
    expect(sent.map((b) => parseSweepMessage(b))).toEqual([
      { sweepId: ids[0], start: true, accounts: 'organization', regions: ['eu-west-1'], reason: 'UpdateTrail on x' },
      { sweepId: ids[1], start: true, accounts: [PROD], reason: 'DeleteTrail on y' },
    ]);
  });

  it('is wired only when the sweep queue is configured', () => {
    const config = loadConfig({ MANAGEMENT_ACCOUNT_ID: MGMT, MEMBER_ROLE_NAME: ROLE, LEDGER_TABLE: 'ledger', IDEMPOTENCY_TABLE: 'idempotency' });
    const aws = new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' } });
    expect(depsFromConfig(config, new DynamoDbLedger(db.doc, 'ledger'), aws).startSweep).toBeUndefined();
    expect(depsFromConfig(config, new DynamoDbLedger(db.doc, 'ledger'), aws, undefined, { send: async () => undefined }).startSweep).toBeDefined();
  });
});
