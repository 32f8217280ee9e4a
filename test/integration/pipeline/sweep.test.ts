// Drift sweeps on SQS fan-out: the scheduler and the worker's Lambda handler (Powertools batch) run in-process on a
// simulated SQS queue (visibility timeout, partial batch failure, redelivery, dead letters) against the simulator.
import type { SQSEvent } from 'aws-lambda';
import { makeSchedulerHandler } from '../../../functions/drift-sweep/handler';
import { makeWorkerHandler } from '../../../functions/sweep-worker/handler';
import { AwsClients } from '../../../lib/aws/clients';
import { InMemorySweepStore } from '../../../lib/sweep/store';
import { startSweep, sweepSummary, type WorkerDeps } from '../../../lib/sweep/sweep';
import { SimulatedQueue, runEventSourceMapping } from '../../../sim/sqs-queue';
import type { Simulator } from '../../../sim/server';
import { generateWorld, accountId } from '../../../bench/generate-world';
import { aPolicy } from '../../helpers/builders';
import { DEV, MGMT, PROD, ROLE, startSim } from '../../helpers/sim';

let sim: Simulator;
afterEach(() => sim.stop());

function parts(policyOverrides: Record<string, unknown> = {}, managementAccountId = MGMT) {
  const policy = aPolicy({ mode: 'enforce', ...policyOverrides });
  const aws = new AwsClients({ managementAccountId, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: managementAccountId, secretAccessKey: 'x' }, maxAttempts: 2, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
  const store = new InMemorySweepStore();
  const queue = new SimulatedQueue(sim.clock, { visibilityTimeoutMs: 60_000, maxReceiveCount: 4 });
  const runs = new Map<string, number>();
  const deps: WorkerDeps = { policy, aws, managementAccountId, now: () => sim.clock.now(), store };
  const worker = makeWorkerHandler(deps);
  const counted = async (event: { Records: { body: string }[] }) => {
    for (const r of event.Records) {
      const m = JSON.parse(r.body) as { accountId: string; region: string };
      runs.set(`${m.accountId}/${m.region}`, (runs.get(`${m.accountId}/${m.region}`) ?? 0) + 1);
    }
    return worker(event as unknown as SQSEvent);
  };
  return { policy, aws, store, queue, runs, counted, deps };
}

describe('drift sweep', () => {
  it('fans out one message per in-scope ACTIVE account-region and summarizes every report', async () => {
    sim = await startSim();
    const p = parts();
    const started = await startSweep('sweep-1', { aws: p.aws, policy: p.policy, queue: p.queue, store: p.store, now: () => sim.clock.now() });
    expect(started).toMatchObject({ enqueued: 6, accounts: 3, regions: 2, skipped: [{ id: '444444444444', reason: 'account is SUSPENDED' }] });
    await runEventSourceMapping(p.queue, sim.clock, p.counted, { batchSize: 4, concurrency: 2 });
    const s = (await sweepSummary('sweep-1', p.store, sim.clock.now()))!;
    expect(s).toMatchObject({ complete: true, timedOut: false, expected: 6, reported: 6, neverReported: [], unreachable: [], failed: [] });
    expect(s.repaired).toBeGreaterThan(5);
    expect(s.notRemediable).toBe(1); // the trail whose bucket rejects CloudTrail
    expect(s.needsPerson[0]).toMatch(/broken-bucket: fix the trail's S3 bucket policy/);
    expect(s.latestPending).toBeDefined();
    expect(p.queue.depth).toBe(0);
  });

  it('starts from the scheduler\'s handler with a sweep id derived from the time and the request', async () => {
    sim = await startSim();
    sim.clock.freeze(new Date('2026-11-21T03:00:00.000Z'));
    const p = parts();
    const out = await makeSchedulerHandler({ aws: p.aws, policy: p.policy, queue: p.queue, store: p.store, now: () => sim.clock.now() })({}, { awsRequestId: 'abcdef12-3456' });
    expect(out).toMatchObject({ sweepId: 'sweep-2026-11-21T03-00-00-000Z-abcdef12', enqueued: 6 });
    expect(p.queue.depth).toBe(6);
  });

  it('retries only the account-region whose batch item failed', async () => {
    sim = await startSim();
    const p = parts();
    // DEV us-east-1's reads fail with 5xx twice (both SDK attempts of the first delivery), then recover.
    sim.faults.add({ effect: 'serverError', service: 'cloudtrail', account: DEV, region: 'us-east-1', operation: 'DescribeTrails', times: 2 });
    await startSweep('sweep-2', { aws: p.aws, policy: p.policy, queue: p.queue, store: p.store, now: () => sim.clock.now() });
    await runEventSourceMapping(p.queue, sim.clock, p.counted, { batchSize: 10, concurrency: 1 });
    expect(p.runs.get(`${DEV}/us-east-1`)).toBe(2);
    expect([...p.runs].filter(([k]) => k !== `${DEV}/us-east-1`).every(([, n]) => n === 1)).toBe(true);
    expect((await sweepSummary('sweep-2', p.store, sim.clock.now()))).toMatchObject({ complete: true, failed: [] });
  });

  it('loses nothing when a worker crashes mid-batch: the batch comes back after the visibility timeout', async () => {
    sim = await startSim();
    const p = parts();
    let crashed = false;
    const crashing = async (event: { Records: { body: string; messageId: string }[] }) => {
      if (!crashed) {
        crashed = true;
        await p.counted({ Records: event.Records.slice(0, 1) }); // one record done, then the invocation dies
        throw new Error('Runtime exited with error: signal: killed');
      }
      return p.counted(event);
    };
    await startSweep('sweep-3', { aws: p.aws, policy: p.policy, queue: p.queue, store: p.store, now: () => sim.clock.now() });
    const run = await runEventSourceMapping(p.queue, sim.clock, crashing, { batchSize: 3, concurrency: 1 });
    expect(run.crashes).toBe(1);
    expect((await sweepSummary('sweep-3', p.store, sim.clock.now()))).toMatchObject({ complete: true, reported: 6, neverReported: [] });
  });

  it('treats duplicate messages as harmless: one report per account-region, no extra writes', async () => {
    sim = await startSim();
    const p = parts();
    await startSweep('sweep-4', { aws: p.aws, policy: p.policy, queue: { sendBatch: async (e) => (await p.queue.sendBatch(e), p.queue.sendBatch(e)) }, store: p.store, now: () => sim.clock.now() });
    expect(p.queue.depth).toBe(12);
    await runEventSourceMapping(p.queue, sim.clock, p.counted, { batchSize: 10, concurrency: 1 });
    const s = (await sweepSummary('sweep-4', p.store, sim.clock.now()))!;
    expect(s).toMatchObject({ complete: true, reported: 6 });
    const writes = sim.calls.filter((c) => c.status === 200 && /^(Put|Start|Update)/.test(c.operation)).length;
    const single = await startSim();
    const q = new SimulatedQueue(single.clock);
    const aws = new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: single.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
    const store = new InMemorySweepStore();
    await startSweep('once', { aws, policy: p.policy, queue: q, store, now: () => single.clock.now() });
    await runEventSourceMapping(q, single.clock, makeWorkerHandler({ policy: p.policy, aws, managementAccountId: MGMT, now: () => single.clock.now(), store }) as never, { batchSize: 10, concurrency: 1 });
    expect(writes).toBe(single.calls.filter((c) => c.status === 200 && /^(Put|Start|Update)/.test(c.operation)).length);
    await single.stop();
  });

  it('reports the 10% of accounts that deny access as unreachable and still completes', async () => {
    const world = generateWorld(20, ['us-east-1', 'eu-west-1']);
    sim = await startSim({ world });
    const p = parts({ scope: { regions: { include: ['us-east-1', 'eu-west-1'] } } }, accountId(0));
    for (const i of [7, 13]) sim.faults.add({ effect: 'accessDenied', account: accountId(i) });
    await startSweep('sweep-5', { aws: p.aws, policy: p.policy, queue: p.queue, store: p.store, now: () => sim.clock.now() });
    await runEventSourceMapping(p.queue, sim.clock, p.counted, { batchSize: 10, concurrency: 4 });
    const s = (await sweepSummary('sweep-5', p.store, sim.clock.now()))!;
    expect(s).toMatchObject({ complete: true, expected: 40, reported: 40, neverReported: [] });
    expect(s.unreachable.sort()).toEqual([`${accountId(7)}/eu-west-1`, `${accountId(7)}/us-east-1`, `${accountId(13)}/eu-west-1`, `${accountId(13)}/us-east-1`]);
    expect(p.queue.deadLetters).toEqual([]);
  }, 60_000);

  it('drops a malformed message with its reason instead of retrying it forever, and times out a sweep whose messages never report', async () => {
    sim = await startSim();
    const p = parts();
    const logged: string[] = [];
    const worker = makeWorkerHandler({ ...p.deps, log: (m, f) => void logged.push(`${m}: ${String(f.reason)}`) });
    await p.queue.sendBatch([{ Id: 'bad', MessageBody: '{"sweepId": "x", "accountId": "12"}' }]);
    await runEventSourceMapping(p.queue, sim.clock, worker as never, { batchSize: 1, concurrency: 1 });
    expect(logged).toEqual(['sweep message dropped: sweep message is malformed: accountId Invalid string: must match pattern /^\\d{12}$/; region Invalid input: expected string, received undefined']);
    await p.store.start('sweep-6', [`${PROD}/us-east-1`], sim.clock.now().toISOString(), new Date(sim.clock.nowMs() + 1000).toISOString());
    expect(await sweepSummary('sweep-6', p.store, sim.clock.now())).toBeUndefined();
    sim.clock.advance(1000);
    expect(await sweepSummary('sweep-6', p.store, sim.clock.now())).toMatchObject({ complete: false, timedOut: true, neverReported: [`${PROD}/us-east-1`] });
  });
});
