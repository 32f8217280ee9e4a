// The Lambda as deployed: middy + Powertools (idempotency on DynamoDB, logger, metrics) around
// handleEvent, with the DynamoDB ledger; dynalite for DynamoDB, the simulator for CloudTrail.
import { PutInsightSelectorsCommand, CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { Context } from 'aws-lambda';
import { depsFromConfig, sweepRequester, wire } from '../../../functions/on-cloudtrail-change/handler';
import { parseSweepMessage } from '../../../lib/sweep/messages';
import { AwsClients } from '../../../lib/aws/clients';
import { DynamoDbLedger, LEASE_MS, LeaseLostError } from '../../../lib/aws/ledger-dynamodb';
import { amendClockLater, updateRecord } from '../../../lib/ledger/ledger';
import { loadTemplates } from '../../unit/infra/templates';
import { loadConfig, ConfigError } from '../../../lib/config';
import { parsePolicy } from '../../../lib/policy/load';
import { runtimePolicyText } from '../../../lib/runtime-policy';
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
  const config = loadConfig({ MANAGEMENT_ACCOUNT_ID: MGMT, MEMBER_ROLE_NAME: ROLE, LEDGER_TABLE: 'ledger', IDEMPOTENCY_TABLE: 'idempotency', POLICY: runtimePolicyText(parsePolicy('version: 1\nmode: enforce\nscope: {regions: {include: [us-east-1, eu-west-1]}}\n')) });
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

  it('counts a repair AWS refused in the very metric RepairsFailedAlarm watches', async () => {
    // The handler loaded afresh with metrics on (the tests' POWERTOOLS_DEV turns them off), printing EMF to the console.
    let fresh!: typeof import('../../../functions/on-cloudtrail-change/handler');
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    jest.isolateModules(() => void (fresh = require('../../../functions/on-cloudtrail-change/handler')));
    const config = loadConfig({ MANAGEMENT_ACCOUNT_ID: MGMT, MEMBER_ROLE_NAME: ROLE, LEDGER_TABLE: 'ledger', IDEMPOTENCY_TABLE: 'idempotency', POLICY: runtimePolicyText(parsePolicy('version: 1\nmode: enforce\nscope: {regions: {include: [us-east-1]}}\n')) });
    const aws = new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
    const handler = fresh.wire(config, fresh.depsFromConfig(config, new DynamoDbLedger(db.doc, 'ledger'), aws), db.doc);
    await new CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAALICE', secretAccessKey: 'x' } }).send(new PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    sim.faults.add({ effect: 'accessDenied', service: 'cloudtrail', operation: 'PutInsightSelectors', account: PROD });
    const printed: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' ')));
    try {
      await handler(events.shift()! as never, context);
    } finally {
      spy.mockRestore();
      delete process.env.POWERTOOLS_METRICS_DISABLED;
    }
    type Emf = Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } };
    const emf = printed.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Emf);
    const refused = emf.find((m) => m._aws.CloudWatchMetrics[0]!.Metrics.some((x) => x.Name === 'repairsFailed'));
    expect(refused?.repairsFailed).toBe(1);
    const alarm = loadTemplates('template.yaml')[0]!.Resources.RepairsFailedAlarm!.Properties as { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] };
    const metric = refused!._aws.CloudWatchMetrics[0]!;
    expect(alarm.MetricName).toBe('repairsFailed');
    expect(metric.Namespace).toBe(alarm.Namespace);
    // CloudWatch matches an alarm to a metric only on exactly the same dimensions.
    expect(metric.Dimensions).toEqual([alarm.Dimensions.map((d) => d.Name)]);
    for (const d of alarm.Dimensions) expect(refused![d.Name]).toBe(d.Value);
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

describe('the lock on a source', () => {
  const where = { arn: trailArn('audit'), kind: 'trail' as const, accountId: PROD, region: 'us-east-1' };
  const quick = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 5)));

  it('lasts longer than the event function may run, so it never lapses under a live holder', () => {
    const [main] = loadTemplates('template.yaml');
    const timeouts = ['OnCloudTrailChangeFunction', 'SweepWorkerFunction'].map((id) => Number(main!.Resources[id]!.Properties.Timeout));
    expect(timeouts[0]).toBeGreaterThan(0);
    // The event function holds a lock for its whole run; the worker only around one source's writes (renewed).
    expect(LEASE_MS).toBeGreaterThan(timeouts[0]! * 1000);
  });

  it('is renewed while its holder works: a second invocation waits even past the first lease', async () => {
    const a = new DynamoDbLedger(db.doc, 'ledger', { sleep: quick, leaseMs: 300, renewEveryMs: 80 });
    // b gives up after 100 refused attempts: with waits of up to 20 ms that is at least 2 s of waiting, well past a's
    // 900 ms however fast DynamoDB answers (with 5 ms waits a fast machine gave up before a was done).
    const b = new DynamoDbLedger(db.doc, 'ledger', { sleep: (ms) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 20))), leaseMs: 300, renewEveryMs: 80 });
    const order: string[] = [];
    const first = a.withLock(where.arn, async () => {
      order.push('a>');
      await new Promise((r) => setTimeout(r, 900)); // three leases long
      order.push('<a');
    });
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all([first, b.withLock(where.arn, async () => void order.push('b'))]);
    expect(order).toEqual(['a>', '<a', 'b']);
  });

  it('fences the record: a holder whose lease lapsed cannot overwrite what the next holder wrote', async () => {
    let clock = 1_000_000;
    const stale = new DynamoDbLedger(db.doc, 'ledger', { sleep: quick, now: () => clock, leaseMs: 1000, renewEveryMs: 3_600_000 });
    const next = new DynamoDbLedger(db.doc, 'ledger', { sleep: quick, now: () => clock });
    let release!: () => void;
    const frozen = new Promise<void>((r) => (release = r));
    const first = stale.withLock(where.arn, async () => {
      await updateRecord(stale, where, (r) => ({ ...r, lastDrift: { at: '2026-12-02T10:00:00.000Z', eventName: 'StopLogging' } }));
      await frozen; // the invocation is frozen past its lease
      return updateRecord(stale, where, (r) => ({ ...r, lastDrift: { at: '2026-12-02T10:05:00.000Z', eventName: 'stale write' } }));
    });
    await new Promise((r) => setTimeout(r, 100));
    clock += 5000;
    await next.withLock(where.arn, () => updateRecord(next, where, (r) => ({ ...r, lastDrift: { at: '2026-12-02T10:06:00.000Z', eventName: 'PutInsightSelectors' } })));
    release();
    await expect(first).rejects.toThrow(LeaseLostError);
    expect((await next.get(where.arn))?.lastDrift?.eventName).toBe('PutInsightSelectors');
  });

  it('lets a holder whose lease lapsed after its CloudTrail write move the window to when the write was accepted, and nothing else', async () => {
    let clock = 2_000_000;
    const stale = new DynamoDbLedger(db.doc, 'ledger', { sleep: quick, now: () => clock, leaseMs: 1000, renewEveryMs: 3_600_000 });
    const next = new DynamoDbLedger(db.doc, 'ledger', { sleep: quick, now: () => clock });
    const at = (s: number) => new Date(Date.parse('2026-12-02T11:00:00.000Z') + s * 1000).toISOString();
    const intent = { kind: 'trail' as const, logging: 'on' as const, channels: { 'ApiCallRateInsight:Management': { since: at(0), basis: 'enabled' as const }, 'ApiErrorRateInsight:Management': { since: at(0), basis: 'enabled' as const } } };
    let release!: () => void;
    const frozen = new Promise<void>((r) => (release = r));
    const first = stale.withLock(where.arn, async () => {
      await updateRecord(stale, where, (r) => ({ ...r, clock: intent })); // the write-ahead intent
      await frozen; // the CloudTrail write is accepted at at(7), then the invocation is frozen past its lease
      const written = { ...intent, channels: { 'ApiCallRateInsight:Management': { since: at(7), basis: 'enabled' as const }, 'ApiErrorRateInsight:Management': { since: at(7), basis: 'enabled' as const } } };
      try {
        await updateRecord(stale, where, (r) => ({ ...r, clock: written, lastDrift: { at: at(7), eventName: 'stale write' } }));
      } catch (e) {
        await amendClockLater(stale, where, written);
        throw e;
      }
    });
    await new Promise((r) => setTimeout(r, 100));
    clock += 5000;
    // Meanwhile the next holder saw someone turn ApiErrorRateInsight off.
    await next.withLock(where.arn, () => updateRecord(next, where, (r) => ({ ...r, clock: { ...r.clock!, channels: { 'ApiCallRateInsight:Management': r.clock!.channels['ApiCallRateInsight:Management']! } } })));
    release();
    await expect(first).rejects.toThrow(LeaseLostError);
    const after = await next.get(where.arn);
    expect(after?.clock?.channels).toEqual({ 'ApiCallRateInsight:Management': { since: at(7), basis: 'enabled' } });
    expect(after?.lastDrift?.eventName).not.toBe('stale write');
  });

  it('lets its holder act only while the lease it last took or renewed has a tenth left, on its own clock', async () => {
    let clock = 5_000_000;
    const ledger = new DynamoDbLedger(db.doc, 'ledger', { sleep: quick, now: () => clock, leaseMs: 10_000, renewEveryMs: 3_600_000 });
    const seen: boolean[] = [];
    await ledger.withLock(where.arn, async () => {
      seen.push(ledger.mayAct(where.arn));
      clock += 8_500;
      seen.push(ledger.mayAct(where.arn));
      clock += 1_000; // frozen: the lease is about to end
      seen.push(ledger.mayAct(where.arn));
    });
    expect(seen).toEqual([true, true, false]);
    expect(ledger.mayAct(where.arn)).toBe(true); // outside any lock nothing is held
  });

  it('keeps the record and its lease apart: locking and unlocking never touch what is recorded', async () => {
    const ledger = new DynamoDbLedger(db.doc, 'ledger', { sleep: quick });
    await ledger.withLock(where.arn, () => updateRecord(ledger, where, (r) => ({ ...r, lastDrift: { at: '2026-12-02T10:00:00.000Z', eventName: 'StopLogging' } })));
    await ledger.withLock(where.arn, async () => undefined);
    expect(await ledger.get(where.arn)).toMatchObject({ version: 1, lastDrift: { eventName: 'StopLogging' } });
    expect(await ledger.sourcesIn(PROD, 'us-east-1')).toHaveLength(1);
    // A source locked but never recorded is no record.
    await ledger.withLock(trailArn('never'), async () => undefined);
    expect(await ledger.get(trailArn('never'))).toBeUndefined();
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
