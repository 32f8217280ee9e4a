// Drift sweeps on SQS fan-out: the scheduler and the worker's Lambda handler (Powertools batch) run in-process on a
// simulated SQS queue (visibility timeout, partial batch failure, redelivery, dead letters) against the simulator.
import type { SQSEvent } from 'aws-lambda';
import { makeSchedulerHandler } from '../../../functions/drift-sweep/handler';
import { makeWorkerHandler } from '../../../functions/sweep-worker/handler';
import { AwsClients } from '../../../lib/aws/clients';
import { InMemoryLedger, updateRecord } from '../../../lib/ledger/ledger';
import { InMemorySweepStore } from '../../../lib/sweep/store';
import type { SweepSummary } from '../../../lib/report/summary';
import { startSweep, sweepOne, sweepSummary, type WorkerDeps } from '../../../lib/sweep/sweep';
import * as ct from '@aws-sdk/client-cloudtrail';
import { SimulatedQueue, runEventSourceMapping } from '../../../sim/sqs-queue';
import type { Simulator } from '../../../sim/server';
import { accountId, generateCompliantWorld, generateWorld } from '../../../bench/generate-world';
import { aPolicy } from '../../helpers/builders';
import { DEV, MGMT, PROD, ROLE, startSim, trailArn } from '../../helpers/sim';

let sim: Simulator;
afterEach(() => sim.stop());

function parts(policyOverrides: Record<string, unknown> = {}, managementAccountId = MGMT) {
  const policy = aPolicy({ mode: 'enforce', ...policyOverrides });
  const aws = new AwsClients({ managementAccountId, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: managementAccountId, secretAccessKey: 'x' }, maxAttempts: 2, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
  const store = new InMemorySweepStore();
  const queue = new SimulatedQueue(sim.clock, { visibilityTimeoutMs: 60_000, maxReceiveCount: 4 });
  const runs = new Map<string, number>();
  const deps: WorkerDeps = { policy, aws, managementAccountId, now: () => sim.clock.now(), store, queue };
  const worker = makeWorkerHandler(deps);
  const counted = async (event: { Records: { body: string }[] }) => {
    for (const r of event.Records) {
      // One message per account (its regions in it); an account-region message counts as an account with one region.
      const m = JSON.parse(r.body) as { accountId: string; region?: string; regions?: string[]; finalize?: true };
      if (m.finalize) continue;
      for (const region of m.regions ?? [m.region!]) runs.set(`${m.accountId}/${region}`, (runs.get(`${m.accountId}/${region}`) ?? 0) + 1);
    }
    return worker(event as unknown as SQSEvent);
  };
  return { policy, aws, store, queue, runs, counted, deps };
}

describe('a sweep and the event path on the same source', () => {
  const audit = { arn: trailArn('audit'), kind: 'trail' as const, accountId: PROD, region: 'us-east-1' };
  const alice = () => new ct.CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAALICE', secretAccessKey: 'x' }, maxAttempts: 1 });
  const starts = () => sim.calls.filter((c) => c.operation === 'StartLogging' && c.account === PROD && c.status === 200).length;

  it("leaves a source alone while its circuit breaker is open, saying so and naming who kept reverting it", async () => {
    sim = await startSim();
    const p = parts({ limits: { breaker: { maxRepairs: 3, windowMinutes: 60 } } });
    const ledger = new InMemoryLedger();
    const at = sim.clock.now().toISOString();
    await updateRecord(ledger, audit, (r) => ({ ...r, breaker: { repairs: [1, 2, 3].map(() => ({ at, actor: `arn:aws:iam::${PROD}:user/mallory` })) } }));
    await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
    const { result } = await sweepOne({ accountId: PROD, region: 'us-east-1' }, { ...p.deps, ledger });
    expect(starts()).toBe(0);
    const mine = result.outcomes.filter((o) => o.action.sourceArn === audit.arn);
    expect(mine.length).toBeGreaterThan(0);
    for (const o of mine)
      expect(o).toMatchObject({ status: 'skipped', reason: expect.stringMatching(new RegExp(`^circuit breaker open: repaired 3 times within 60 minutes and reverted by arn:aws:iam::${PROD}:user/mallory; left alone until `)) });
    // Other sources of the account-region are repaired as usual.
    expect(result.outcomes.some((o) => o.status === 'applied')).toBe(true);
  });

  it('waits for the lock an event repair holds, then reads the source again instead of repeating the repair', async () => {
    sim = await startSim();
    const p = parts();
    const ledger = new InMemoryLedger();
    await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
    let sweep!: ReturnType<typeof sweepOne>;
    await ledger.withLock(audit.arn, async () => {
      sweep = sweepOne({ accountId: PROD, region: 'us-east-1' }, { ...p.deps, ledger });
      await new Promise((r) => setTimeout(r, 300)); // the sweep has read audit stopped, and waits for the lock
      // Meanwhile the event path repairs audit and records it.
      await new ct.CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: PROD, secretAccessKey: 'x' }, maxAttempts: 1 }).send(new ct.StartLoggingCommand({ Name: 'audit' }));
      await updateRecord(ledger, audit, (r) => ({ ...r, lastRepair: { at: sim.clock.now().toISOString(), operations: ['StartLogging'] } }));
    });
    const { result } = await sweep;
    expect(starts()).toBe(1);
    expect(result.decisions.find((d) => d.source.arn === audit.arn)?.actions.map((a) => a.operation)).not.toContain('StartLogging');
  });

  it('records the writes it is about to make, so their events come back as its own after a crash', async () => {
    sim = await startSim();
    const p = parts();
    const ledger = new InMemoryLedger();
    await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
    const seen: (string[] | undefined)[] = [];
    sim.onEvent((e) => void (e.detail.eventName === 'StartLogging' && ledger.get(audit.arn).then((r) => seen.push(r?.intent?.writes.map((w) => w.operation)))));
    await sweepOne({ accountId: PROD, region: 'us-east-1' }, { ...p.deps, ledger });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen[0]).toContain('StartLogging');
    // Settled once the outcome is recorded.
    expect((await ledger.get(audit.arn))?.intent).toBeUndefined();
    expect((await ledger.get(audit.arn))?.lastRepair?.operations).toContain('StartLogging');
  });
});

describe('drift sweep', () => {
  it('fans out one message per in-scope ACTIVE account, its regions in it, and summarizes every account-region\'s report', async () => {
    sim = await startSim();
    const p = parts();
    const started = await startSweep('sweep-1', { aws: p.aws, policy: p.policy, queue: p.queue, store: p.store, now: () => sim.clock.now() });
    expect(started).toMatchObject({ enqueued: 3, accounts: 3, regions: 2, skipped: [{ id: '444444444444', reason: 'account is SUSPENDED' }] });
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
    expect(out).toMatchObject({ sweepId: 'sweep-2026-11-21T03-00-00-000Z-abcdef12', enqueued: 3 });
    expect(p.queue.depth).toBe(4);
    expect(p.queue.visible).toBe(3); // the finalize message waits for the deadline
  });

  it('retries only the account-region that failed, as a message of its own, not its account\'s other regions', async () => {
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

  it('assumes each member account\'s role once per sweep, however many containers its messages could have reached', async () => {
    sim = await startSim();
    const p = parts();
    // Three containers, each with its own clients (and so its own sessions), taking one message at a time in turn.
    const containers = [0, 1, 2].map(() =>
      makeWorkerHandler({ ...p.deps, aws: new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } }) }),
    );
    let next = 0;
    await startSweep('sweep-sessions', { aws: p.aws, policy: p.policy, queue: p.queue, store: p.store, now: () => sim.clock.now() });
    await runEventSourceMapping(p.queue, sim.clock, (event) => containers[next++ % 3]!(event as unknown as SQSEvent), { batchSize: 1, concurrency: 3 });
    expect(await sweepSummary('sweep-sessions', p.store, sim.clock.now())).toMatchObject({ complete: true, reported: 6, failed: [] });
    const assumed = sim.calls.filter((c) => c.operation === 'AssumeRole' && c.status === 200);
    expect(assumed).toHaveLength(2); // PROD and DEV; the management account uses the function's own credentials
    // Each member account's two regions were read with that one session.
    expect(new Set(sim.calls.filter((c) => c.service === 'cloudtrail' && c.account === DEV).map((c) => c.region))).toEqual(new Set(['us-east-1', 'eu-west-1']));
  });

  it('starts no account with less than a minute of the invocation left: its message goes back as it is, nothing read', async () => {
    sim = await startSim();
    const p = parts();
    const worker = makeWorkerHandler(p.deps);
    await p.store.start('sweep-late', [`${DEV}/us-east-1`], sim.clock.now().toISOString(), new Date(sim.clock.nowMs() + 900_000).toISOString());
    const body = JSON.stringify({ sweepId: 'sweep-late', accountId: DEV, regions: ['us-east-1'] });
    const out = await worker({ Records: [{ messageId: 'm1', body }] } as unknown as SQSEvent, { getRemainingTimeInMillis: () => 30_000 });
    expect(out).toEqual({ batchItemFailures: [] });
    expect(sim.calls.filter((c) => c.service !== 'organizations')).toHaveLength(0);
    expect(p.queue.visible).toBe(1);
    await runEventSourceMapping(p.queue, sim.clock, worker as never, { batchSize: 10, concurrency: 1 });
    expect(await sweepSummary('sweep-late', p.store, sim.clock.now())).toMatchObject({ complete: true, reported: 1 });
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
    await startSweep('sweep-4', { aws: p.aws, policy: p.policy, queue: { sendBatch: async (e) => (await p.queue.sendBatch(e), p.queue.sendBatch(e)), send: (b, d) => p.queue.send(b, d) }, store: p.store, now: () => sim.clock.now() });
    expect(p.queue.depth).toBe(7); // 3 accounts twice, and the finalize message
    await runEventSourceMapping(p.queue, sim.clock, p.counted, { batchSize: 10, concurrency: 1 });
    const s = (await sweepSummary('sweep-4', p.store, sim.clock.now()))!;
    expect(s).toMatchObject({ complete: true, reported: 6 });
    const writes = sim.calls.filter((c) => c.status === 200 && /^(Put|Start|Update)/.test(c.operation)).length;
    const single = await startSim();
    const q = new SimulatedQueue(single.clock);
    const aws = new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: single.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
    const store = new InMemorySweepStore();
    await startSweep('once', { aws, policy: p.policy, queue: q, store, now: () => single.clock.now() });
    await runEventSourceMapping(q, single.clock, makeWorkerHandler({ policy: p.policy, aws, managementAccountId: MGMT, now: () => single.clock.now(), store, queue: q }) as never, { batchSize: 10, concurrency: 1 });
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

  it('holds limits.maxWritesPerSweep for the whole sweep, not per message: one counter for every worker', async () => {
    const world = generateWorld(20, ['us-east-1', 'eu-west-1']);
    sim = await startSim({ world });
    const p = parts({ scope: { regions: { include: ['us-east-1', 'eu-west-1'] } }, limits: { maxWritesPerSweep: 7 } }, accountId(0));
    await startSweep('capped', { aws: p.aws, policy: p.policy, queue: p.queue, store: p.store, now: () => sim.clock.now() });
    await runEventSourceMapping(p.queue, sim.clock, p.counted, { batchSize: 3, concurrency: 4 });
    const writes = sim.calls.filter((c) => c.service === 'cloudtrail' && c.status === 200 && /^(Put|Start|Update)/.test(c.operation)).length;
    expect(writes).toBeLessThanOrEqual(7);
    expect(writes).toBeGreaterThan(4); // the cap is reserved per source, whole: a source that does not fit is skipped
    expect((await sweepSummary('capped', p.store, sim.clock.now()))!.writes).toBe(writes);
  }, 60_000);

  it('drops a message for a sweep that was never started before reading or writing anything, instead of failing it five times', async () => {
    sim = await startSim();
    const p = parts();
    const logged: string[] = [];
    const worker = makeWorkerHandler({ ...p.deps, log: (m, f) => void logged.push(`${m}: ${String(f.reason)}`) });
    const before = sim.calls.length;
    const out = await worker({ Records: [{ messageId: 'm1', body: JSON.stringify({ sweepId: 'forged', accountId: PROD, region: 'us-east-1' }) }] } as unknown as SQSEvent);
    expect(out).toEqual({ batchItemFailures: [] });
    expect(sim.calls.length).toBe(before);
    expect(logged).toContain('sweep message dropped: sweep forged was never started (or has expired): nothing read or written');
  });

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

  it('costs a compliant organization exactly the documented minimum of CloudTrail calls per account-region, and writes nothing', async () => {
    const { world, minimum } = generateCompliantWorld(6, ['us-east-1', 'eu-west-1', 'ap-south-1']);
    sim = await startSim({ world, throttling: { enabled: true } });
    const p = parts({ scope: { regions: { include: ['us-east-1', 'eu-west-1', 'ap-south-1'] } } }, accountId(0));
    // The product's own CloudTrail budget (8 reads a second per account-region), under the simulator's quotas.
    const aws = new AwsClients({ managementAccountId: accountId(0), memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: accountId(0), secretAccessKey: 'x' } });
    p.deps.aws = aws;
    p.aws = aws;
    await startSweep('sweep-min', { aws: p.aws, policy: p.policy, queue: p.queue, store: p.store, now: () => sim.clock.now() });
    await runEventSourceMapping(p.queue, sim.clock, p.counted, { batchSize: 10, concurrency: 3 });
    const s = (await sweepSummary('sweep-min', p.store, sim.clock.now()))!;
    expect(s).toMatchObject({ complete: true, writes: 0, repaired: 0, drifted: 0, notRemediable: 0, compliant: 6 * 3 * 2 + 6 + 1 }); // a trail and a management store per account-region, each main trail, the organization trail
    const perAccountRegion = sim.callCounts((c) => c.service === 'cloudtrail').byAccountRegion;
    expect(perAccountRegion).toEqual(Object.fromEntries(minimum));
    expect(sim.callCounts().errors).toEqual({});
  }, 30_000);

  describe('the end of a sweep', () => {
    const digestSpy = (answers: boolean[] = []) => {
      const sent: { summary: SweepSummary; accountRegions: string[] }[] = [];
      const digest = async (summary: SweepSummary, accountRegions: string[]) => (sent.push({ summary, accountRegions }), answers.shift() ?? true);
      return { sent, digest };
    };

    it('sends one digest when the last account-region reports, and the finalize message at the deadline sends none', async () => {
      sim = await startSim();
      const p = parts();
      const d = digestSpy();
      const logged: string[] = [];
      const worker = makeWorkerHandler({ ...p.deps, digest: d.digest, log: (m, f) => void logged.push(`${m}: ${String(f.outcome)}`) });
      await startSweep('sweep-d1', { aws: p.aws, policy: p.policy, queue: p.queue, store: p.store, now: () => sim.clock.now() });
      await runEventSourceMapping(p.queue, sim.clock, worker as never, { batchSize: 4, concurrency: 2 });
      expect(d.sent).toHaveLength(1);
      expect(d.sent[0]!.summary).toMatchObject({ sweepId: 'sweep-d1', complete: true, timedOut: false, expected: 6, reported: 6 });
      expect(logged).toEqual(['sweep complete: digest sent', 'sweep finalize: finished elsewhere']);
      expect((await p.store.load('sweep-d1'))!.digestSentAt).toBeDefined();
    });

    it('ends a sweep whose account never reports at its deadline, naming its account-regions, even past SQS\'s 15-minute delay', async () => {
      sim = await startSim();
      const p = parts();
      const d = digestSpy();
      const outcomes: string[] = [];
      const worker = makeWorkerHandler({ ...p.deps, digest: d.digest, log: (m, f) => void (m === 'sweep finalize' && outcomes.push(String(f.outcome))) });
      // Every delivery of DEV's account message (its two regions) dies with its invocation until it reaches the dead-letter queue.
      const dying = async (event: { Records: { body: string }[] }) => {
        if (event.Records.some((r) => r.body.includes(`"${DEV}"`) && r.body.includes('eu-west-1'))) throw new Error('Task timed out after 300.00 seconds');
        return worker(event as unknown as SQSEvent);
      };
      await startSweep('sweep-d2', { aws: p.aws, policy: p.policy, queue: p.queue, store: p.store, now: () => sim.clock.now(), timeoutMs: 40 * 60_000 });
      const started = sim.clock.nowMs();
      await runEventSourceMapping(p.queue, sim.clock, dying, { batchSize: 1, concurrency: 2 });
      expect(outcomes).toEqual(['rescheduled', 'rescheduled', 'digest sent']); // 15 + 15 + 10 minutes
      expect(sim.clock.nowMs() - started).toBeGreaterThanOrEqual(40 * 60_000);
      expect(d.sent).toHaveLength(1);
      expect(d.sent[0]!.summary).toMatchObject({ complete: false, timedOut: true, expected: 6, reported: 4, neverReported: [`${DEV}/us-east-1`, `${DEV}/eu-west-1`] });
      expect(p.queue.deadLetters).toHaveLength(1);
    });

    it('sends the digest again at the deadline when Slack did not take it at completion, then never again', async () => {
      sim = await startSim();
      const p = parts();
      const d = digestSpy([false, true]);
      const worker = makeWorkerHandler({ ...p.deps, digest: d.digest });
      await startSweep('sweep-d3', { aws: p.aws, policy: p.policy, queue: p.queue, store: p.store, now: () => sim.clock.now() });
      await runEventSourceMapping(p.queue, sim.clock, worker as never, { batchSize: 10, concurrency: 1 });
      expect(d.sent.map((x) => x.summary.complete)).toEqual([true, true]);
      expect((await p.store.load('sweep-d3'))!.digestSentAt).toBeDefined();
      expect(p.queue.depth).toBe(0);
    });

    it('keeps retrying an undelivered digest through SQS redelivery, so the dead-letter queue and its alarm see it', async () => {
      sim = await startSim();
      const p = parts();
      const d = digestSpy([false, false, false, false, false, false]);
      const worker = makeWorkerHandler({ ...p.deps, digest: d.digest });
      await startSweep('sweep-d4', { aws: p.aws, policy: p.policy, queue: p.queue, store: p.store, now: () => sim.clock.now() });
      await runEventSourceMapping(p.queue, sim.clock, worker as never, { batchSize: 10, concurrency: 1 });
      expect(d.sent).toHaveLength(5); // at completion, then the finalize message's 4 receives
      expect(p.queue.deadLetters.map((m) => JSON.parse(m.body))).toEqual([{ sweepId: 'sweep-d4', finalize: true }]);
    });

    it('carries the Slack messages owed for an account-region into the digest, and remembers the clocks it started', async () => {
      sim = await startSim();
      const p = parts();
      const ledger = new InMemoryLedger();
      await updateRecord(ledger, { arn: trailArn('audit'), kind: 'trail', accountId: PROD, region: 'us-east-1' }, (r) => ({ ...r, undelivered: [{ at: '2026-11-20T10:00:00.000Z', text: 'repaired audit' }] }));
      const d = digestSpy();
      const worker = makeWorkerHandler({ ...p.deps, ledger, digest: d.digest });
      await startSweep('sweep-d5', { aws: p.aws, policy: p.policy, queue: p.queue, store: p.store, now: () => sim.clock.now() });
      await runEventSourceMapping(p.queue, sim.clock, worker as never, { batchSize: 10, concurrency: 1 });
      expect(d.sent[0]!.accountRegions).toEqual([`${PROD}/us-east-1`]);
      const first = d.sent[0]!.summary;
      expect(first.repaired).toBeGreaterThan(0);

      // The next sweep writes nothing and still knows when each repaired source will first deliver.
      const writesBefore = sim.calls.filter((c) => c.status === 200 && /^(Put|Start|Update)/.test(c.operation)).length;
      await startSweep('sweep-d6', { aws: p.aws, policy: p.policy, queue: p.queue, store: p.store, now: () => sim.clock.now() });
      await runEventSourceMapping(p.queue, sim.clock, worker as never, { batchSize: 10, concurrency: 1 });
      const second = d.sent[1]!.summary;
      expect(sim.calls.filter((c) => c.status === 200 && /^(Put|Start|Update)/.test(c.operation)).length).toBe(writesBefore);
      expect(second).toMatchObject({ repaired: 0, writes: 0 });
      expect(second.pendingFirstDelivery).toBeGreaterThanOrEqual(first.repaired);
      expect(second.latestPending).toBe(first.latestPending);
    });
  });
});
