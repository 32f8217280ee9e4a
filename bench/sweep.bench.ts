// Drift-sweep figures: the scheduler's and the workers' Lambda handlers run in-process on a simulated SQS queue (batch
// size 10, visibility timeout, partial batch failure, a maximum concurrency of C worker "containers", each with its own
// clients, sessions and CloudTrail budget, and L lanes: account-regions worked on at once), against the simulator
// running in a worker thread (the machine's second core) with the default CloudTrail quotas enforced. Two runs:
//   1. 1,000 accounts x 4 regions, a compliant organization, 30 ms added to every call: total calls against the
//      documented minimum (2 + 2t + t_c + s + s_m per account-region), AssumeRole calls against one per member
//      account, wall time against the ideal lower bound for C x L lanes each making one call at a time, throttled
//      calls and whether any stayed unrecovered, and what else the machine ran meanwhile (bench/machine-load.ts).
//   2. 5,000 accounts x 17 regions at this machine's full speed: wall time against the 15-minute target, the longest
//      invocation against the worker's 300 s timeout, the peak request rate any account-region saw.
// Prints a table and writes bench/results/sweep.json. Env: SWEEP_ACCOUNTS, SWEEP_REGIONS, LATENCY_MS, CONCURRENCY,
// LANES, SCALE_ACCOUNTS, SCALE_REGIONS, SCALE_CONCURRENCY, SCALE_LANES (0 accounts skips a run).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, workerData } from 'node:worker_threads';
import type { SQSEvent } from 'aws-lambda';
import { makeSchedulerHandler } from '../functions/drift-sweep/handler';
import { makeWorkerHandler } from '../functions/sweep-worker/handler';
import { DescribeTrailsCommand, ListEventDataStoresCommand, ListTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { AwsClients } from '../lib/aws/clients';
import { InMemoryLedger } from '../lib/ledger/ledger';
import { defaultPolicy } from '../lib/policy/load';
import type { Policy } from '../lib/policy/schema';
import { InMemorySweepStore } from '../lib/sweep/store';
import type { SweepSummary } from '../lib/report/summary';
import { SimClock } from '../sim/clock';
import { Simulator } from '../sim/server';
import { SimulatedQueue, runEventSourceMapping, type SimSqsRecord } from '../sim/sqs-queue';
import { accountId, generateCompliantWorld, generateOrganizationScaleWorld, REGIONS_17 } from './generate-world';
import { describeLoad, measureLoad } from './machine-load';
import { serveSimulator, startSimulatorThread } from './sim-thread';

interface ThreadParams {
  kind: 'compliant' | 'scale';
  accounts: number;
  regions: string[];
  latencyMs: number;
}

interface ThreadStats {
  byService: Record<string, number>;
  byOperation: Record<string, number>;
  cloudtrailByAccountRegion: Record<string, number>;
  throttled: number;
  errors: Record<string, number>;
  peakReadsPerSecond: number;
  peakWritesPerSecond: number;
  /** CloudTrail and STS calls: the mean time the simulator took to answer one (its added latency included), and when it answered the last (Date.now). */
  meanCallMs: number;
  lastCallAt: number;
}

const WORKER_TIMEOUT_MS = 300_000;
const PROBE_CALLS = 50;

// ---- the simulator's side (worker thread) ----
async function simulatorThread(params: ThreadParams): Promise<void> {
  const started = performance.now();
  const { world } = (params.kind === 'compliant' ? generateCompliantWorld : generateOrganizationScaleWorld)(params.accounts, params.regions);
  const sim = await Simulator.start({ world, throttling: { enabled: true }, transitionMs: 0 });
  if (params.latencyMs > 0) sim.faults.add({ effect: 'latency', latencyMs: params.latencyMs });
  const loadMs = performance.now() - started;
  serveSimulator(sim, { loadMs: () => loadMs, stats: () => statsOf(sim) }, { forwardEvents: false });
}

function statsOf(sim: Simulator): ThreadStats {
  const all = sim.callCounts();
  const byService: Record<string, number> = {};
  const times = new Map<string, number[]>();
  let callMs = 0;
  let counted = 0;
  let lastCallAt = 0;
  for (const c of sim.calls) {
    byService[c.service] = (byService[c.service] ?? 0) + 1;
    if (c.service === 'cloudtrail' || c.service === 'sts') ((callMs += c.ms), counted++, (lastCallAt = Math.max(lastCallAt, c.at)));
    if (c.service !== 'cloudtrail') continue;
    const key = `${c.account}/${c.region}/${/^(Get|List|Describe|Lookup)/.test(c.operation) ? 'r' : 'w'}`;
    const list = times.get(key) ?? [];
    list.push(c.at);
    times.set(key, list);
  }
  let peakReads = 0;
  let peakWrites = 0;
  for (const [key, list] of times) {
    list.sort((a, b) => a - b);
    let peak = 0;
    for (let i = 0, j = 0; i < list.length; i++) {
      while (list[i]! - list[j]! >= 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    if (key.endsWith('/r')) peakReads = Math.max(peakReads, peak);
    else peakWrites = Math.max(peakWrites, peak);
  }
  return {
    byService,
    byOperation: all.byOperation,
    cloudtrailByAccountRegion: sim.callCounts((c) => c.service === 'cloudtrail').byAccountRegion,
    throttled: all.errors.ThrottlingException ?? 0,
    errors: all.errors,
    peakReadsPerSecond: peakReads,
    peakWritesPerSecond: peakWrites,
    meanCallMs: counted ? callMs / counted : 0,
    lastCallAt,
  };
}

// ---- the product's side (main thread) ----

async function sweepRun(label: string, params: ThreadParams, concurrency: number, lanes: number) {
  const { minimum } = (params.kind === 'compliant' ? generateCompliantWorld : generateOrganizationScaleWorld)(params.accounts, params.regions);
  const sim = await startSimulatorThread(import.meta.url, params);
  const loadMs = await sim.rpc<number>('loadMs');
  const management = accountId(0);
  const policy: Policy = { ...defaultPolicy(), mode: 'enforce', scope: { ...defaultPolicy().scope, regions: { include: params.regions, exclude: [] } } };
  const clients = () => new AwsClients({ managementAccountId: management, memberRoleName: 'InsightsRemediatorRole', endpoint: sim.endpoint, credentials: { accessKeyId: management, secretAccessKey: 'x' } });
  const clock = new SimClock();
  const queue = new SimulatedQueue(clock, { visibilityTimeoutMs: 1_800_000, maxReceiveCount: 5 });
  const store = new InMemorySweepStore();
  const ledger = new InMemoryLedger();
  let summary: SweepSummary | undefined;
  let completedAt = 0;
  let completedWallAt = 0;
  const digest = async (s: SweepSummary) => ((summary = s), (completedAt = performance.now()), (completedWallAt = Date.now()), true);

  const t0 = performance.now();
  const scheduled = await makeSchedulerHandler({ aws: clients(), policy, queue, store, now: () => clock.now() })({}, { awsRequestId: 'benchmark' });
  const t1 = performance.now();

  // C containers: Lambda runs at most C invocations at once, each container keeps its own clients between invocations.
  const free = Array.from({ length: concurrency }, () => makeWorkerHandler({ policy, aws: clients(), managementAccountId: management, regionLanes: lanes, now: () => clock.now(), store, queue, ledger, digest }));
  let done = 0;
  let nextReport = 0.1;
  const invoke = async (event: { Records: SimSqsRecord[] }) => {
    done += event.Records.length;
    if (done / scheduled.enqueued >= nextReport) {
      process.stderr.write(`  ${label}: ${Math.round(nextReport * 100)}% of account-regions handed to workers after ${fmt(performance.now() - t1)}\n`);
      nextReport += 0.1;
    }
    const container = free.pop()!;
    const accountsOf = event.Records.flatMap((r) => {
      const m = JSON.parse(r.body) as { accountId?: string; regions?: string[] };
      return m.accountId && m.regions ? [{ accountId: m.accountId, regions: m.regions }] : [];
    });
    // Lambda's context: the worker starts no account with under a minute of its 300 s left (lib/sweep/worker.ts).
    const started = performance.now();
    try {
      return await container(event as unknown as SQSEvent, { getRemainingTimeInMillis: () => WORKER_TIMEOUT_MS - (performance.now() - started) });
    } finally {
      free.push(container);
      if (accountsOf.length) invocationLog.push({ ms: performance.now() - started, accounts: accountsOf });
    }
  };
  const invocationLog: { ms: number; accounts: { accountId: string; regions: string[] }[] }[] = [];
  const heap0 = process.memoryUsage().rss;
  const load = measureLoad();
  const run = await runEventSourceMapping(queue, clock, invoke, { batchSize: 10, concurrency });
  const machineLoad = load();
  const stats = await sim.rpc<ThreadStats>('stats');
  // After the figures are taken (so the sweep's counts stay exact): what one call costs as a client sees it, here, with
  // the machine otherwise as quiet as the sweep left it: PROBE_CALLS sequential reads through the product's own clients
  // (budget lifted), against the same simulator, latency and connection settings, spread over the management account's
  // regions and three read APIs so that none meets the simulator's per-API TPS quota.
  const probeAws = new AwsClients({ managementAccountId: management, memberRoleName: 'InsightsRemediatorRole', endpoint: sim.endpoint, credentials: { accessKeyId: management, secretAccessKey: 'x' }, budget: { readsPerSecond: 100_000, writesPerSecond: 100_000 } });
  const probe = (i: number) => {
    const client = probeAws.cloudTrail(management, params.regions[i % params.regions.length]!);
    const kind = Math.floor(i / params.regions.length) % 3;
    return kind === 0 ? client.send(new DescribeTrailsCommand({})) : kind === 1 ? client.send(new ListTrailsCommand({})) : client.send(new ListEventDataStoresCommand({}));
  };
  for (let i = 0; i < 3 * params.regions.length; i++) await probe(i);
  const probeThrottledBefore = (await sim.rpc<ThreadStats>('stats')).throttled;
  const probeStarted = performance.now();
  for (let i = 0; i < PROBE_CALLS; i++) await probe(i);
  if ((await sim.rpc<ThreadStats>('stats')).throttled !== probeThrottledBefore) throw new Error('the call-cost probe was throttled: its figure would not be one call');
  const clientCallMs = (performance.now() - probeStarted) / PROBE_CALLS;
  await sim.stop();
  if (!summary) throw new Error(`${label}: the sweep never completed (${queue.deadLetters.length} dead letters)`);

  const accountRegions = minimum.size;
  const minimumCloudTrail = [...minimum.values()].reduce((a, b) => a + b, 0);
  const cloudtrail = stats.byService.cloudtrail ?? 0;
  const atMinimum = [...minimum].filter(([k, n]) => stats.cloudtrailByAccountRegion[k] === n).length;
  const assumeRoles = stats.byOperation.AssumeRole ?? 0;
  const minimumAssumeRoles = params.accounts - 1; // the management account uses the functions' own credentials
  const workerMs = completedAt - t1;
  const idealMs = ((minimumCloudTrail + minimumAssumeRoles) * params.latencyMs) / (concurrency * lanes);
  // Where the time beyond the ideal went: each call took the simulator meanCallMs (its 30 ms plus parsing, SigV4
  // verification and the answer), not 30; and the sweep ended finishingMs after the last call was answered.
  const idealAtMeasuredMs = ((minimumCloudTrail + minimumAssumeRoles) * stats.meanCallMs) / (concurrency * lanes);
  // Packing inside invocations: an invocation of accounts' messages lasts at least its calls x the measured call time /
  // lanes (one AssumeRole per member account); what it took beyond that is lanes idle at its end, or the CPU.
  const invocationIdealMs = (inv: (typeof invocationLog)[number]) =>
    (inv.accounts.reduce((n, a) => n + a.regions.reduce((k, r) => k + (stats.cloudtrailByAccountRegion[`${a.accountId}/${r}`] ?? 0), 0) + (a.accountId === management ? 0 : 1), 0) * stats.meanCallMs) / lanes;
  const invocationsMs = invocationLog.reduce((n, inv) => n + inv.ms, 0);
  const invocationsIdealMs = invocationLog.reduce((n, inv) => n + invocationIdealMs(inv), 0);
  return {
    label,
    accounts: params.accounts,
    regions: params.regions.length,
    accountRegions,
    latencyMs: params.latencyMs,
    concurrency,
    lanes,
    simulatorLoadMs: Math.round(loadMs),
    schedulerMs: Math.round(t1 - t0),
    enqueued: scheduled.enqueued,
    workerMs: Math.round(workerMs),
    totalMs: Math.round(completedAt - t0),
    idealMs: Math.round(idealMs),
    ratioToIdeal: idealMs ? Number((workerMs / idealMs).toFixed(3)) : null,
    meanCallMs: Number(stats.meanCallMs.toFixed(2)),
    idealAtMeasuredCallMs: Math.round(idealAtMeasuredMs),
    ratioToIdealAtMeasuredCall: idealAtMeasuredMs ? Number((workerMs / idealAtMeasuredMs).toFixed(3)) : null,
    clientCallMs: Number(clientCallMs.toFixed(2)),
    idealAtClientCallMs: Math.round(((minimumCloudTrail + minimumAssumeRoles) * clientCallMs) / (concurrency * lanes)),
    ratioToIdealAtClientCall: Number((workerMs / (((minimumCloudTrail + minimumAssumeRoles) * clientCallMs) / (concurrency * lanes))).toFixed(3)),
    finishingMs: Math.max(0, completedWallAt - stats.lastCallAt),
    accountInvocations: invocationLog.length,
    accountInvocationsMs: Math.round(invocationsMs),
    accountInvocationsIdealMs: Math.round(invocationsIdealMs),
    containersBusy: Number((invocationsMs / (concurrency * workerMs)).toFixed(3)),
    calls: { total: Object.values(stats.byService).reduce((a, b) => a + b, 0), ...stats.byService },
    cloudtrailCalls: cloudtrail,
    minimumCloudTrailCalls: minimumCloudTrail,
    cloudtrailCallsPerAccountRegion: Number((cloudtrail / accountRegions).toFixed(3)),
    minimumPerAccountRegion: Number((minimumCloudTrail / accountRegions).toFixed(3)),
    accountRegionsAtMinimum: atMinimum,
    cloudtrailRatio: Number((cloudtrail / minimumCloudTrail).toFixed(3)),
    assumeRoles,
    minimumAssumeRoles,
    assumeRoleRatio: Number((assumeRoles / minimumAssumeRoles).toFixed(3)),
    load: machineLoad,
    throttledCalls: stats.throttled,
    unrecovered: summary.failed.length + summary.neverReported.length + queue.deadLetters.length,
    otherErrors: Object.fromEntries(Object.entries(stats.errors).filter(([k]) => k !== 'ThrottlingException')),
    peakReadsPerSecondInAnAccountRegion: stats.peakReadsPerSecond,
    peakWritesPerSecondInAnAccountRegion: stats.peakWritesPerSecond,
    invocations: run.invocations,
    crashes: run.crashes,
    longestInvocationMs: Math.round(run.maxInvocationMs),
    workerTimeoutMs: WORKER_TIMEOUT_MS,
    summary: { complete: summary.complete, compliant: summary.compliant, repaired: summary.repaired, writes: summary.writes, unreachable: summary.unreachable.length, failed: summary.failed.length },
    rssGrowthMiB: Math.round((process.memoryUsage().rss - heap0) / 1024 / 1024),
  };
}

const fmt = (ms: number) => (ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`);

async function main(): Promise<void> {
  const env = (k: string, d: number) => Number(process.env[k] ?? d);
  const results = [];
  console.log(`sweep benchmark: node ${process.version}, simulator in a worker thread, default CloudTrail quotas enforced`);
  const small = env('SWEEP_ACCOUNTS', 1000);
  if (small > 0) {
    // 5 containers x 4 lanes: 20 calls in flight, what this 2-core machine serves at 30 ms without its CPU being the bound.
    const r = await sweepRun('1,000 x 4 at 30 ms per call', { kind: 'compliant', accounts: small, regions: REGIONS_17.slice(0, env('SWEEP_REGIONS', 4)), latencyMs: env('LATENCY_MS', 30) }, env('CONCURRENCY', 5), env('LANES', 4));
    results.push(r);
    console.log(`\n${r.accounts} accounts x ${r.regions} regions (${r.accountRegions} account-regions, compliant), ${r.latencyMs} ms per call, maximum concurrency ${r.concurrency} containers x ${r.lanes} lanes`);
    console.log(`  CloudTrail calls      ${r.cloudtrailCalls} = ${r.cloudtrailCallsPerAccountRegion} per account-region; documented minimum ${r.minimumCloudTrailCalls} = ${r.minimumPerAccountRegion} (${r.accountRegionsAtMinimum}/${r.accountRegions} account-regions exactly at it): ratio ${r.cloudtrailRatio.toFixed(2)}`);
    console.log(`  STS AssumeRole        ${r.assumeRoles} (minimum ${r.minimumAssumeRoles}: one per member account): ratio ${r.assumeRoleRatio.toFixed(2)}; all calls ${r.calls.total}`);
    console.log(`  wall time (workers)   ${fmt(r.workerMs)}; ideal lower bound ${fmt(r.idealMs)} for ${r.concurrency * r.lanes} lanes = ${r.ratioToIdeal} x ideal (target <= 1.15 on an idle machine), measured under: ${describeLoad(r.load)}; scheduler ${fmt(r.schedulerMs)}`);
    console.log(`  where it went         the simulator answered a call in ${r.meanCallMs} ms on average (${r.latencyMs} ms of it added): at that, the ideal is ${fmt(r.idealAtMeasuredCallMs)} = ${r.ratioToIdealAtMeasuredCall} x; the last call was answered ${fmt(r.finishingMs)} before the sweep's digest`);
    console.log(`  one call, client side ${r.clientCallMs} ms (${PROBE_CALLS} sequential reads through the product's clients after the run: the SDK's and Node's own time on top of the simulator's); at that, the ideal is ${fmt(r.idealAtClientCallMs)} = ${r.ratioToIdealAtClientCall} x`);
    console.log(`  inside invocations    ${r.accountInvocations} invocations of accounts took ${fmt(r.accountInvocationsMs)} in all, their calls at ${r.meanCallMs} ms over ${r.lanes} lanes ${fmt(r.accountInvocationsIdealMs)} (${(r.accountInvocationsMs / r.accountInvocationsIdealMs).toFixed(3)} x); containers busy ${Math.round(r.containersBusy * 100)}% of the wall time`);
    console.log(`  throttled calls       ${r.throttledCalls}; unrecovered ${r.unrecovered}; other errors ${JSON.stringify(r.otherErrors)}`);
    console.log(`  invocations           ${r.invocations}, longest ${fmt(r.longestInvocationMs)} (timeout ${fmt(r.workerTimeoutMs)}); most reads one account-region saw within 1 s: ${r.peakReadsPerSecondInAnAccountRegion} (the simulator's 10-TPS token buckets throttled ${r.throttledCalls})`);
  }
  const big = env('SCALE_ACCOUNTS', 5000);
  if (big > 0) {
    const r = await sweepRun('5,000 x 17 at full speed', { kind: 'scale', accounts: big, regions: REGIONS_17.slice(0, env('SCALE_REGIONS', 17)), latencyMs: 0 }, env('SCALE_CONCURRENCY', 50), env('SCALE_LANES', 4));
    results.push(r);
    const projected = ((r.minimumCloudTrailCalls + r.minimumAssumeRoles) * 30) / (r.concurrency * r.lanes);
    console.log(`\n${r.accounts} accounts x ${r.regions} regions (${r.accountRegions} account-regions), simulator at full speed, maximum concurrency ${r.concurrency} containers x ${r.lanes} lanes; measured under: ${describeLoad(r.load)}`);
    console.log(`  completed             ${fmt(r.totalMs)} from schedule to digest (target 15 min); scheduler ${fmt(r.schedulerMs)}, workers ${fmt(r.workerMs)}; simulator loaded in ${fmt(r.simulatorLoadMs)}`);
    console.log(`  at 30 ms per call     ideal ${fmt(projected)} for ${r.concurrency * r.lanes} lanes (${r.minimumCloudTrailCalls + r.minimumAssumeRoles} calls)`);
    console.log(`  CloudTrail calls      ${r.cloudtrailCalls} (minimum ${r.minimumCloudTrailCalls}: ratio ${r.cloudtrailRatio.toFixed(2)}); AssumeRole ${r.assumeRoles} (minimum ${r.minimumAssumeRoles}: ratio ${r.assumeRoleRatio.toFixed(2)}); throttled ${r.throttledCalls}; unrecovered ${r.unrecovered}`);
    console.log(`  invocations           ${r.invocations}, longest ${fmt(r.longestInvocationMs)} (timeout ${fmt(r.workerTimeoutMs)}); most reads one account-region saw within 1 s: ${r.peakReadsPerSecondInAnAccountRegion}; RSS +${r.rssGrowthMiB} MiB`);
  }
  mkdirSync(join(process.cwd(), 'bench/results'), { recursive: true });
  writeFileSync(join(process.cwd(), 'bench/results/sweep.json'), `${JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
}

if (isMainThread)
  main().catch((e: Error) => {
    console.error(`sweep benchmark failed: ${e.stack ?? e.message}`);
    process.exit(1);
  });
else void simulatorThread(workerData as ThreadParams);
