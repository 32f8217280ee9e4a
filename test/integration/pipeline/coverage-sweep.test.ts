// The deployed sweep under the coverage objective: the scheduler and the worker's Lambda handler on a simulated SQS
// queue against the simulator. Survey every account-region, plan once organization-wide, repair from repair messages,
// judge coverage on what the repairs left.
import type { SQSEvent } from 'aws-lambda';
import { makeWorkerHandler } from '../../../functions/sweep-worker/handler';
import { AwsClients } from '../../../lib/aws/clients';
import { costExplorerClient, lastMonthInsightsSpend } from '../../../lib/aws/cost-explorer';
import { coverageSummary } from '../../../lib/sweep/coverage-sweep';
import { InMemorySweepStore } from '../../../lib/sweep/store';
import { startSweep, sweepSummary, type WorkerDeps } from '../../../lib/sweep/sweep';
import { SimulatedQueue, runEventSourceMapping } from '../../../sim/sqs-queue';
import type { Simulator } from '../../../sim/server';
import type { WorldInput } from '../../../sim/world';
import { accountId, generateCarrierWorld } from '../../../bench/generate-world';
import { aPolicy } from '../../helpers/builders';
import { ROLE, startSim } from '../../helpers/sim';

const REGIONS = ['us-east-1', 'eu-west-1'];
const MGMT = accountId(0);
let sim: Simulator;
afterEach(() => sim.stop());

async function sweep(world: WorldInput, policyOverrides: Record<string, unknown> = {}, options: { duplicate?: boolean; concurrency?: number } = {}) {
  sim = await startSim({ world });
  const policy = aPolicy({ objective: 'coverage', scope: { regions: { include: REGIONS } }, ...policyOverrides });
  const aws = new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
  const store = new InMemorySweepStore();
  const queue = new SimulatedQueue(sim.clock, { visibilityTimeoutMs: 60_000, maxReceiveCount: 4 });
  const deps: WorkerDeps = { policy, aws, managementAccountId: MGMT, now: () => sim.clock.now(), store, queue };
  const sent: string[] = [];
  const recording = { ...queue, sendBatch: async (entries: { Id: string; MessageBody: string }[]) => (sent.push(...entries.map((e) => e.MessageBody)), options.duplicate && (await queue.sendBatch(entries)), queue.sendBatch(entries)), send: (b: string, d: number) => queue.send(b, d) };
  const worker = makeWorkerHandler({ ...deps, queue: recording });
  const costs = costExplorerClient(aws.config);
  await startSweep('s', { aws, policy, queue: recording, store, now: () => sim.clock.now(), spend: () => lastMonthInsightsSpend(costs, sim.clock.now(), { regions: REGIONS }) });
  await runEventSourceMapping(queue, sim.clock, (e) => worker(e as unknown as SQSEvent), { batchSize: 5, concurrency: options.concurrency ?? 3 });
  const summary = (await sweepSummary('s', store, sim.clock.now(), false, (s, t) => coverageSummary(policy, s, t)))!;
  const writes = sim.calls.filter((c) => c.status === 200 && /^(Put|Start|Update)/.test(c.operation)).map((c) => `${c.operation} ${c.account}`);
  return { summary, writes, sent, queue };
}

describe('the deployed coverage sweep', () => {
  it('surveys every account-region, repairs the organization trail once from one repair message, and judges all covered', async () => {
    const { summary, writes, sent, queue } = await sweep(generateCarrierWorld(21, REGIONS));
    expect(writes).toEqual([`PutInsightSelectors ${MGMT}`]);
    expect(sent.filter((b) => b.includes('"repair":true'))).toEqual([JSON.stringify({ sweepId: 's', repair: true, accountId: MGMT, region: 'us-east-1', arns: [`arn:aws:cloudtrail:us-east-1:${MGMT}:trail/org-trail`], disable: [] })]);
    expect(summary).toMatchObject({ complete: true, expected: 42, reported: 42, writes: 1, repaired: 1, notNeeded: 20, drifted: 0, needsPerson: [] });
    expect(summary.coverage).toEqual({ covered: 0, pendingFirstDelivery: 42, uncovered: 0, exempt: 0, unknown: 0, redundant: 0 });
    // Asked once when the sweep started; nothing billed in this world.
    expect(summary.spend).toMatchObject({ status: 'known', total: 0, redundantTotal: 0 });
    expect(sim.calls.filter((c) => c.service === 'costexplorer')).toHaveLength(1);
    expect(queue.deadLetters).toEqual([]);
  });

  it('treats duplicate survey and repair messages as harmless: the same single write', async () => {
    const { summary, writes } = await sweep(generateCarrierWorld(6, REGIONS), {}, { duplicate: true });
    expect(writes).toEqual([`PutInsightSelectors ${MGMT}`]);
    expect(summary).toMatchObject({ complete: true, writes: 1 });
  });

  it('holds the write cap for the whole sweep, whatever number of workers carries out the plan', async () => {
    // No organization trail: each member account needs its own trail, one write each.
    const world = { ...generateCarrierWorld(13, REGIONS), trails: generateCarrierWorld(13, REGIONS).trails!.filter((t) => t.name !== 'org-trail') };
    const { summary, writes } = await sweep(world, { limits: { maxWritesPerSweep: 5 } }, { concurrency: 4 });
    expect(writes).toHaveLength(5);
    expect(summary.coverage).toMatchObject({ pendingFirstDelivery: 10, uncovered: 16 }); // 5 accounts x 2 regions covered; 7 member + the management account's 2 left
    expect(summary.complete).toBe(true);
  });

  it('starts a sweep of part of the organization from a start message (what the event function sends) and judges exactly those account-regions', async () => {
    sim = await startSim({ world: generateCarrierWorld(4, REGIONS) });
    const policy = aPolicy({ objective: 'coverage', scope: { regions: { include: REGIONS } } });
    const aws = new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
    const store = new InMemorySweepStore();
    const queue = new SimulatedQueue(sim.clock);
    const worker = makeWorkerHandler({ policy, aws, managementAccountId: MGMT, now: () => sim.clock.now(), store, queue });
    await queue.send(JSON.stringify({ sweepId: 'targeted-1', start: true, accounts: [accountId(2)], regions: ['eu-west-1'], reason: 'test' }), 0);
    await runEventSourceMapping(queue, sim.clock, (e) => worker(e as unknown as SQSEvent), { batchSize: 5, concurrency: 1 });
    const s = (await store.load('targeted-1'))!;
    expect(s.expected.filter((k) => !s.scope!.extras.includes(k))).toEqual([`${accountId(2)}/eu-west-1`]);
    expect(coverageSummary(policy, s, false)).toMatchObject({ complete: true, expected: 4, coverage: { pendingFirstDelivery: 1, uncovered: 0 } });
  });

  it('in report mode sends no repair message and ends once surveyed, every uncovered account-region still uncovered', async () => {
    const { summary, writes, sent } = await sweep(generateCarrierWorld(6, REGIONS), { mode: 'report' });
    expect(writes).toEqual([]);
    expect(sent.filter((b) => b.includes('"repair"'))).toEqual([]);
    expect(summary).toMatchObject({ complete: true, coverage: { uncovered: 12 } });
  });
});
