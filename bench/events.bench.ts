// Event-driven repair figures, per kind of drift a user can cause: the CloudTrail calls handleEvent makes for the
// event (reads and writes apart) against the documented minimum, and the time from handing the event to the handler
// until the source is compliant again: the start of the first independent check (its own clients, right after the
// handler returns, before the product's own events are fed back) that finds it compliant. The handler itself has
// re-read the source by then (its verify reads are in the minimum), so this is within one check of the moment the
// last repair took effect; feeding back the product's own events, a separate invocation in Lambda, is not in it.
//
// Set-up, chosen to look like production: the simulator runs in a worker thread (the machine's other core) with its
// CloudTrail TPS quotas enforced, 30 ms added to every call (fault effect 'latency') and event data store status
// transitions of 100 ms (`transitionMs`: CREATED -> ENABLED, STOPPING_ / STARTING_INGESTION); the product side is the
// real AwsClients (member role assumed from the management account's credentials, default CloudTrail budget of 8 reads
// and 0.8 writes per second per account-region), the InMemoryLedger and the default policy in enforce mode. Each drift
// is a user call (IAM user "mallory", not the product's role) on a source nobody touched before: every run has its own
// account, so neither the circuit breaker (3 repairs per hour) nor the budget of an earlier run shapes the figures. The
// simulator's EventBridge stream carries the user's event to handleEvent; the events of the product's own writes are
// fed back too: they are checked like any other (the source is read, and found right), and must write nothing; their
// reads are reported apart from the drift's, which the minimum below counts. Member-role sessions are warmed first, as in a warm Lambda
// container, so the AssumeRole of a cold one is not counted against CloudTrail (STS calls in the window are reported).
//
// The minimum (docs/pipeline.md, "Reads: what a compliant account-region costs", specialised to one named source):
//   check one trail   = DescribeTrails + GetTrailStatus + GetEventSelectors if HasCustomEventSelectors
//                       + GetInsightSelectors if HasInsightSelectors                       = 2 + c + i
//   check one store   = ListEventDataStores + GetEventDataStore for each of the s stores listed in the region
//                       (destinations are checked against them) + GetInsightSelectors if it logs management
//                       events, is not an Insights store and is not pending deletion          = 1 + s + m
//   per drift         = check(state the drift left) + [verify(state after the repair) when a write was needed]
//                       + check(repaired state) for each further event of the same drift
//   writes            = exactly the repair calls the drift needs (0 when the call changed nothing that matters).
// c, i, s and m are taken from the simulator's own state at each point, not from the product.
//
// An event the handler asks to see again (retryReason: e.g. a store read while CREATED or STOPPING_INGESTION) is
// handled again after EVENT_RETRY_DELAY_MS (Lambda's async retry waits about a minute; scaled down here), counted in the
// reads and the time.
//
// Env: EVENT_RUNS (20 per kind), EVENT_PARALLEL (5 runs at once), EVENT_KINDS (ids, comma-separated: a subset),
// EVENT_RETRY_DELAY_MS (1000), LATENCY_MS (30), TRANSITION_MS (100), CONVERGE_TIMEOUT_MS (5000). Prints a table and
// writes bench/results/events.json.
import * as ct from '@aws-sdk/client-cloudtrail';
import { mkdirSync, writeFileSync } from 'node:fs';
import { describeLoad, measureLoad } from './machine-load';
import { join } from 'node:path';
import { isMainThread, workerData } from 'node:worker_threads';
import { localBudget } from '../lib/aws/apply';
import { AwsClients } from '../lib/aws/clients';
import { readAccountRegion } from '../lib/aws/read';
import { decide } from '../lib/domain/decide';
import { InMemoryLedger } from '../lib/ledger/ledger';
import { handleEvent, retryReason, type EventHandlerDeps } from '../lib/pipeline/handle-event';
import { remediate } from '../lib/pipeline/remediate';
import { defaultPolicy } from '../lib/policy/load';
import type { Policy } from '../lib/policy/schema';
import { storeLogged } from '../sim/cloudtrail/common';
import type { EventBridgeEvent } from '../sim/records';
import { Simulator, type CallLogEntry } from '../sim/server';
import { serveSimulator, startSimulatorThread } from './sim-thread';
import { accountId, driftUserKey, generateDriftWorld } from './generate-world';

const ROLE = 'InsightsRemediatorRole';
const REGION = 'us-east-1';
const READ = /^(Get|List|Describe|Lookup)/;

interface ThreadParams {
  accounts: number;
  regions: string[];
  latencyMs: number;
  transitionMs: number;
}

type CallRow = Omit<CallLogEntry, 'at' | 'ms'>;

/** What one named source's check costs on the simulator's current state (the formula in the header). */
interface PassFacts {
  reads: number;
  terms: string;
}

// ---- the simulator's side (worker thread) ----
async function simulatorThread(params: ThreadParams): Promise<void> {
  const sim = await Simulator.start({ world: generateDriftWorld(params.accounts, params.regions), throttling: { enabled: true }, transitionMs: params.transitionMs, seed: 42 });
  if (params.latencyMs > 0) sim.faults.add({ effect: 'latency', latencyMs: params.latencyMs });
  serveSimulator(sim, {
    mark: () => sim.calls.length,
    calls: (a) => sim.calls.slice(Number(a.from), Number(a.to)).map(({ service, operation, account, region, status, error }) => ({ service, operation, account, region, status, ...(error && { error }) })),
    facts: (a) => passFacts(sim, String(a.arn)),
  }, { forwardEvents: true });
}

function passFacts(sim: Simulator, arn: string): PassFacts {
  const trail = sim.state.trails.get(arn);
  if (trail) {
    const c = trail.eventSelectors !== undefined || trail.advancedEventSelectors !== undefined ? 1 : 0;
    const i = trail.insightSelectors.length > 0 ? 1 : 0;
    return { reads: 2 + c + i, terms: `2+c${c}+i${i}` };
  }
  const store = sim.state.stores.get(arn);
  if (!store) throw new Error(`no source ${arn} in the simulator`);
  const s = sim.state.visibleStores(store.account, store.region).length;
  const logged = storeLogged(store);
  const m = logged.categories.has('Management') && !logged.categories.has('Insight') && store.status !== 'PENDING_DELETION' ? 1 : 0;
  return { reads: 1 + s + m, terms: `1+s${s}+m${m}` };
}

// ---- the product's side (main thread) ----

interface Kind {
  id: string;
  label: string;
  /** Events one drift produces (a store's Insights guard its selectors: narrowing them takes two calls). */
  events: number;
  expectedWrites: string[];
  /** The user's call(s); returns the ARN of the source they drifted. */
  drift(user: ct.CloudTrailClient, account: string, i: number): Promise<string>;
}

const trailArn = (account: string) => `arn:aws:cloudtrail:${REGION}:${account}:trail/main-${REGION}`;
const storeArn = (account: string) => `arn:aws:cloudtrail:${REGION}:${account}:eventdatastore/mgmt-${REGION}`;
const READ_ONLY_MANAGEMENT = [{ Name: 'read-only management', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] }] }];

const KINDS: Kind[] = [
  { id: 'trail-insights-off', label: 'PutInsightSelectors [] (trail)', events: 1, expectedWrites: ['PutInsightSelectors'], drift: async (u, a) => (await u.send(new ct.PutInsightSelectorsCommand({ TrailName: `main-${REGION}`, InsightSelectors: [] })), trailArn(a)) },
  { id: 'trail-one-type', label: 'PutInsightSelectors one type (trail)', events: 1, expectedWrites: ['PutInsightSelectors'], drift: async (u, a) => (await u.send(new ct.PutInsightSelectorsCommand({ TrailName: `main-${REGION}`, InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] })), trailArn(a)) },
  { id: 'stop-logging', label: 'StopLogging', events: 1, expectedWrites: ['StartLogging'], drift: async (u, a) => (await u.send(new ct.StopLoggingCommand({ Name: `main-${REGION}` })), trailArn(a)) },
  { id: 'trail-read-only', label: 'PutEventSelectors read-only (Stratus-style)', events: 1, expectedWrites: ['PutEventSelectors'], drift: async (u, a) => (await u.send(new ct.PutEventSelectorsCommand({ TrailName: `main-${REGION}`, EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }] })), trailArn(a)) },
  { id: 'update-trail-irrelevant', label: 'UpdateTrail S3KeyPrefix (irrelevant)', events: 1, expectedWrites: [], drift: async (u, a, i) => (await u.send(new ct.UpdateTrailCommand({ Name: `main-${REGION}`, S3KeyPrefix: `logs-${i}` })), trailArn(a)) },
  { id: 'create-trail', label: 'CreateTrail without Insights', events: 1, expectedWrites: ['StartLogging', 'PutInsightSelectors'], drift: async (u, _a, i) => (await u.send(new ct.CreateTrailCommand({ Name: `new-trail-${i}`, S3BucketName: 'cloudtrail-logs' }))).TrailARN! },
  { id: 'stop-ingestion', label: 'StopEventDataStoreIngestion', events: 1, expectedWrites: ['StartEventDataStoreIngestion'], drift: async (u, a) => (await u.send(new ct.StopEventDataStoreIngestionCommand({ EventDataStore: `mgmt-${REGION}` })), storeArn(a)) },
  {
    id: 'store-read-only',
    label: 'UpdateEventDataStore read-only (after Insights off)',
    events: 2,
    expectedWrites: ['UpdateEventDataStore', 'PutInsightSelectors'],
    drift: async (u, a) => {
      // The store refuses selectors its Insights need (InvalidInsightSelectorsException): Insights go first.
      await u.send(new ct.PutInsightSelectorsCommand({ EventDataStore: `mgmt-${REGION}`, InsightSelectors: [] }));
      await sleep(1000); // a person's second command, and CloudTrail's 1 write per second
      await u.send(new ct.UpdateEventDataStoreCommand({ EventDataStore: `mgmt-${REGION}`, AdvancedEventSelectors: READ_ONLY_MANAGEMENT }));
      return storeArn(a);
    },
  },
  { id: 'store-insights-off', label: 'PutInsightSelectors [] (store)', events: 1, expectedWrites: ['PutInsightSelectors'], drift: async (u, a) => (await u.send(new ct.PutInsightSelectorsCommand({ EventDataStore: `mgmt-${REGION}`, InsightSelectors: [] })), storeArn(a)) },
  { id: 'create-store', label: 'CreateEventDataStore without Insights', events: 1, expectedWrites: ['PutInsightSelectors'], drift: async (u, _a, i) => (await u.send(new ct.CreateEventDataStoreCommand({ Name: `new-store-${i}` }))).EventDataStoreArn! },
  { id: 'update-store-irrelevant', label: 'UpdateEventDataStore retention (irrelevant)', events: 1, expectedWrites: [], drift: async (u, a, i) => (await u.send(new ct.UpdateEventDataStoreCommand({ EventDataStore: `mgmt-${REGION}`, RetentionPeriod: 400 + i })), storeArn(a)) },
];

interface Run {
  account: string;
  arn: string;
  events: number;
  ownEvents: number;
  /** Reads the checks of the product's own writes made (they are checked, not skipped), and writes (a loop). */
  ownEventReads: number;
  ownEventWrites: number;
  reads: number;
  writes: string[];
  failedWrites: number;
  failedWriteErrors: string[];
  sts: number;
  minimumReads: number;
  minimumTerms: string;
  converged: boolean;
  retries: number;
  handlerMs: number;
  convergedMs: number | null;
  handlerReason: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isOwn = (e: EventBridgeEvent) => String((e.detail.userIdentity as { sessionContext?: { sessionIssuer?: { arn?: string } } })?.sessionContext?.sessionIssuer?.arn ?? '').endsWith(`:role/${ROLE}`);
const isUsers = (e: EventBridgeEvent, account: string) => (e.detail.userIdentity as { accessKeyId?: string })?.accessKeyId === driftUserKey(account);

async function waitFor<T>(what: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = what();
    if (v !== undefined || performance.now() > end) return v;
    await sleep(2);
  }
}

/** A follow-up read of the one source, as an operator would make it: compliant when the policy finds nothing wrong. */
async function isCompliant(observer: AwsClients, policy: Policy, account: string, arn: string): Promise<boolean> {
  const read = await readAccountRegion(observer.cloudTrail(account, REGION), policy, { accountId: account, region: REGION }, { only: new Set([arn]) });
  const source = read.sources.find((s) => s.arn === arn);
  if (!source) return false;
  const d = decide({ policy, source, context: { managementAccountId: accountId(0), eventDataStoresInAccount: read.eventDataStores }, now: new Date() });
  return d.finding.reasons.length === 0;
}

async function main(): Promise<void> {
  const env = (k: string, d: number) => Number(process.env[k] ?? d);
  const runs = env('EVENT_RUNS', 20);
  const latencyMs = env('LATENCY_MS', 30);
  const transitionMs = env('TRANSITION_MS', 100);
  const convergeTimeoutMs = env('CONVERGE_TIMEOUT_MS', 5000);
  const retryDelayMs = env('EVENT_RETRY_DELAY_MS', 1000);
  const parallel = Math.max(1, env('EVENT_PARALLEL', 5));
  const accounts = 1 + KINDS.length * runs;
  const management = accountId(0);
  console.log(`event benchmark: node ${process.version}; simulator in a worker thread, CloudTrail quotas enforced, ${latencyMs} ms per call, store transitions ${transitionMs} ms; ${runs} runs per kind, each on its own account (${accounts} accounts)`);
  const sim = await startSimulatorThread(import.meta.url, { accounts, regions: [REGION], latencyMs, transitionMs } satisfies ThreadParams);
  const events: EventBridgeEvent[] = [];
  sim.onEvent((e) => events.push(e));
  // everySource: each kind's repair of its own source is what is measured (coverage would leave a new trail alone). The
  // event path's hourly write cap (100 by default) would stop the benchmark's 200-odd repairs half-way: raised.
  const policy: Policy = { ...defaultPolicy(), mode: 'enforce', objective: 'everySource', scope: { ...defaultPolicy().scope, regions: { include: [REGION], exclude: [] } }, limits: { ...defaultPolicy().limits, maxEventWritesPerHour: 100_000 } };
  const clients = () => new AwsClients({ managementAccountId: management, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: management, secretAccessKey: 'x' } });
  const deps: EventHandlerDeps = { policy, aws: clients(), managementAccountId: management, ledger: new InMemoryLedger(), now: () => new Date(), ownRoles: { functionRoleNames: [], memberRoleName: ROLE } };
  // The observer and the set-up have their own clients: their calls fall outside the handler's measured window.
  const observer = clients();
  const setup = clients();
  const results = [];

  const only = process.env.EVENT_KINDS?.split(',');
  for (const [k, kind] of KINDS.entries()) {
    if (only && !only.includes(kind.id)) continue;
    const list: Run[] = [];
    // Runs of a kind go EVENT_PARALLEL at a time: each has its own account, and its window counts only that account's
    // calls, so they do not see each other's (CPU stays far from busy: the time is latency and quota).
    const runOne = async (i: number): Promise<void> => {
      const account = accountId(1 + k * runs + i);
      const user = new ct.CloudTrailClient({ endpoint: sim.endpoint, region: REGION, credentials: { accessKeyId: driftUserKey(account), secretAccessKey: 'x' }, maxAttempts: 8 });
      // A warm container: the member role's session exists already.
      await (deps.aws.cloudTrail(account, REGION).config.credentials as () => Promise<unknown>)();
      await (observer.cloudTrail(account, REGION).config.credentials as () => Promise<unknown>)();
      const start = events.length;
      const mine = () => events.slice(start).filter((e) => e.account === account);
      const arn = await kind.drift(user, account, i);
      const drifts = await waitFor(() => {
        const theirs = mine().filter((e) => isUsers(e, account));
        return theirs.length >= kind.events ? theirs : undefined;
      }, 5000);
      if (!drifts) throw new Error(`${kind.id}: the user's event(s) never reached EventBridge`);
      const pre = await sim.rpc<PassFacts>('facts', { arn });

      const from = await sim.rpc<number>('mark');
      const t0 = performance.now();
      let reason = '';
      let retries = 0;
      for (const e of drifts) {
        let out = await handleEvent(e, deps);
        // The Lambda rethrows on retryReason and Lambda delivers the event again (after about 1, then 2 minutes).
        for (let attempt = 0; attempt < 2 && retryReason(out); attempt++, retries++) {
          await sleep(retryDelayMs);
          out = await handleEvent(e, deps);
        }
        reason = retryReason(out) ?? out.reason;
      }
      const handlerMs = performance.now() - t0;
      const mid = await sim.rpc<number>('mark');
      // Converged: when an independent check that then finds the source compliant starts; the first one starts as the
      // handler returns. Its reads fall between mid and afterCheck, outside both the drift's and the own events' counts.
      let convergedMs: number | null = null;
      for (let checkAt = handlerMs; checkAt < handlerMs + convergeTimeoutMs; checkAt = performance.now() - t0) {
        if (await isCompliant(observer, policy, account, arn)) {
          convergedMs = checkAt;
          break;
        }
        await sleep(20);
      }
      const afterCheck = await sim.rpc<number>('mark');
      const handlerWrites = (await sim.rpc<CallRow[]>('calls', { from, to: mid })).filter((c) => c.account === account && c.service === 'cloudtrail' && !READ.test(c.operation) && c.status === 200).length;
      // The product's own writes come back as events: feed them in and count what they cost (nothing, or a loop).
      const own = (await waitFor(() => {
        const o = mine().filter(isOwn);
        return o.length >= handlerWrites ? o : undefined;
      }, 2000)) ?? mine().filter(isOwn);
      for (const e of own) await handleEvent(e, deps);
      const to = await sim.rpc<number>('mark');
      // STS calls are logged under the caller (the management account): counted for every run in the window.
      const ofRun = (c: CallRow) => c.account === account || c.service === 'sts';
      const calls = (await sim.rpc<CallRow[]>('calls', { from, to })).filter(ofRun);
      const ownEventCalls = (await sim.rpc<CallRow[]>('calls', { from: afterCheck, to })).filter((c) => c.account === account && c.service === 'cloudtrail');
      const ownEventWrites = ownEventCalls.filter((c) => !READ.test(c.operation)).length;
      const post = await sim.rpc<PassFacts>('facts', { arn });
      // The drift's cost is what handling the user's event(s) called; the check each own event costs (loop safety: the
      // product's own write is still checked, convergence ends the loop) is counted apart, as ownEventReads.
      const cloudtrail = (await sim.rpc<CallRow[]>('calls', { from, to: mid })).filter((c) => ofRun(c) && c.service === 'cloudtrail');
      const writes = cloudtrail.filter((c) => !READ.test(c.operation));
      const wrote = kind.expectedWrites.length > 0;
      list.push({
        account,
        arn,
        events: drifts.length,
        ownEvents: own.length,
        ownEventReads: ownEventCalls.length - ownEventWrites,
        ownEventWrites,
        reads: cloudtrail.filter((c) => READ.test(c.operation)).length,
        writes: writes.filter((c) => c.status === 200).map((c) => c.operation),
        failedWrites: writes.filter((c) => c.status !== 200).length,
        failedWriteErrors: writes.filter((c) => c.status !== 200).map((c) => `${c.operation}: ${c.error ?? c.status}`),
        sts: calls.filter((c) => c.service === 'sts').length,
        minimumReads: pre.reads + (wrote ? post.reads : 0) + (kind.events - 1) * post.reads,
        minimumTerms: `${pre.terms}${wrote ? ` + ${post.terms}` : ''}${kind.events > 1 ? ` + ${kind.events - 1}x(${post.terms})` : ''}`,
        converged: convergedMs !== null,
        retries,
        handlerMs,
        convergedMs,
        handlerReason: reason,
      });
      // Leave nothing drifted behind (a run the event did not repair): the set-up clients repair it, off the record.
      if (convergedMs === null) await restore(setup, policy, account, arn);
    };
    const load = measureLoad();
    for (let i = 0; i < runs; i += parallel) await Promise.all(Array.from({ length: Math.min(parallel, runs - i) }, (_, j) => runOne(i + j)));
    const r = { ...summarize(kind, list), load: load() };
    results.push(r);
    printRow(r);
    console.log(`${''.padEnd(4)}measured under: ${describeLoad(r.load)}`);
  }
  await sim.stop();

  mkdirSync(join(process.cwd(), 'bench/results'), { recursive: true });
  writeFileSync(
    join(process.cwd(), 'bench/results/events.json'),
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, runsPerKind: runs, latencyMs, transitionMs, budget: 'default (8 reads per second per account-region, 0.8 writes per second per account-region and API)', minimumFormula: MINIMUM_FORMULA, kinds: results }, null, 2)}\n`,
  );
  const above = results.filter((r) => r.readsAboveMinimumRuns > 0 || r.writesAboveMinimumRuns > 0 || r.unconverged > 0 || r.loops > 0);
  console.log(`\nminimum: ${MINIMUM_FORMULA}`);
  console.log(above.length ? `ATTENTION: ${above.map((r) => `${r.kind} (${r.readsAboveMinimumRuns} runs above the read minimum, ${r.writesAboveMinimumRuns} above the write minimum, ${r.unconverged} not converged, ${r.loops} loops)`).join('; ')}` : 'every run at the minimum, converged, no loop');
  console.log('bench/results/events.json written');
}

const MINIMUM_FORMULA =
  'per drift = check(after the drift) + verify(after the repair, when a write is needed) + check(repaired) per further event; check(trail) = 2 + c + i (c: HasCustomEventSelectors, i: HasInsightSelectors); check(store) = 1 + s + m (s: stores listed in the region, m: the store logs management events, is no Insights store, not pending deletion); writes = the repair calls the drift needs';

async function restore(setup: AwsClients, policy: Policy, account: string, arn: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const r = await remediate([{ kind: 'source', accountId: account, region: REGION, arn }], { policy, aws: setup, managementAccountId: accountId(0), now: () => new Date(), budget: localBudget(10) });
    if (r.results.every((x) => x.verified.every((v) => v.converged)) && (await isCompliant(setup, policy, account, arn))) return;
    await sleep(100);
  }
  throw new Error(`could not restore ${arn}`);
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!);
};

function summarize(kind: Kind, list: Run[]) {
  const n = list.length;
  const sum = (f: (r: Run) => number) => list.reduce((a, r) => a + f(r), 0);
  const times = list.flatMap((r) => (r.convergedMs === null ? [] : [r.convergedMs]));
  const expected = [...kind.expectedWrites].sort().join(',');
  return {
    kind: kind.id,
    label: kind.label,
    runs: n,
    eventsPerDrift: kind.events,
    eventsHandled: sum((r) => r.events),
    ownEventsFedBack: sum((r) => r.ownEvents),
    ownEventReads: sum((r) => r.ownEventReads),
    loops: sum((r) => r.ownEventWrites),
    readsPerDrift: sum((r) => r.reads) / n,
    minimumReadsPerDrift: sum((r) => r.minimumReads) / n,
    readsPerEvent: sum((r) => r.reads) / sum((r) => r.events),
    minimumTerms: list[0]!.minimumTerms,
    readsAboveMinimumRuns: list.filter((r) => r.reads > r.minimumReads).length,
    readsBelowMinimumRuns: list.filter((r) => r.reads < r.minimumReads).length,
    writesPerDrift: sum((r) => r.writes.length) / n,
    minimumWritesPerDrift: kind.expectedWrites.length,
    expectedWrites: kind.expectedWrites,
    writesAboveMinimumRuns: list.filter((r) => r.writes.length > kind.expectedWrites.length).length,
    writesOtherThanExpectedRuns: list.filter((r) => [...r.writes].sort().join(',') !== expected).length,
    failedWrites: sum((r) => r.failedWrites),
    failedWriteErrors: [...new Set(list.flatMap((r) => r.failedWriteErrors))],
    stsCallsInWindow: sum((r) => r.sts),
    retries: sum((r) => r.retries),
    converged: n - list.filter((r) => !r.converged).length,
    unconverged: list.filter((r) => !r.converged).length,
    handlerMsP50: pct(list.map((r) => r.handlerMs), 50),
    convergedMsP50: pct(times, 50),
    convergedMsP95: pct(times, 95),
    convergedMsMax: times.length ? Math.round(Math.max(...times)) : null,
    sampleReason: list.find((r) => !r.converged)?.handlerReason ?? list[0]!.handlerReason,
  };
}

let headerPrinted = false;
function printRow(r: ReturnType<typeof summarize>): void {
  if (!headerPrinted) {
    console.log(`\n${'kind'.padEnd(52)} ${'events'.padStart(6)} ${'reads/drift'.padStart(11)} ${'min'.padStart(5)} ${'writes/drift'.padStart(12)} ${'min'.padStart(3)} ${'converged'.padStart(9)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'handler p50'.padStart(11)}`);
    headerPrinted = true;
  }
  const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
  console.log(
    `${r.label.padEnd(52)} ${String(r.eventsHandled).padStart(6)} ${f(r.readsPerDrift).padStart(11)} ${f(r.minimumReadsPerDrift).padStart(5)} ${f(r.writesPerDrift).padStart(12)} ${String(r.minimumWritesPerDrift).padStart(3)} ${`${r.converged}/${r.runs}`.padStart(9)} ${String(r.convergedMsP50 ?? '-').padStart(7)} ${String(r.convergedMsP95 ?? '-').padStart(7)} ${String(r.convergedMsMax ?? '-').padStart(7)} ${String(r.handlerMsP50).padStart(11)}`,
  );
  const notes = [
    `minimum ${r.minimumTerms}`,
    r.readsAboveMinimumRuns ? `${r.readsAboveMinimumRuns} run(s) ABOVE the read minimum` : '',
    r.readsBelowMinimumRuns ? `${r.readsBelowMinimumRuns} run(s) below the read minimum` : '',
    r.writesOtherThanExpectedRuns ? `${r.writesOtherThanExpectedRuns} run(s) wrote other than ${r.expectedWrites.join('+') || 'nothing'}` : '',
    r.failedWrites ? `${r.failedWrites} failed write attempt(s) (${r.failedWriteErrors.join(', ')}), retried by the SDK` : '',
    r.stsCallsInWindow ? `${r.stsCallsInWindow} STS call(s)` : '',
    r.retries ? `${r.retries} Lambda retr${r.retries === 1 ? 'y' : 'ies'} (a store between states; each costs one more check and EVENT_RETRY_DELAY_MS)` : '',
    r.loops ? `${r.loops} write(s) caused by own events (LOOP)` : `${r.ownEventsFedBack} own events fed back, checked with ${r.ownEventReads} reads, 0 writes`,
    r.unconverged ? `NOT CONVERGED ${r.unconverged}: ${r.sampleReason}` : '',
  ].filter(Boolean);
  console.log(`${''.padEnd(4)}${notes.join('; ')}`);
}

if (isMainThread)
  main().catch((e: Error) => {
    console.error(`event benchmark failed: ${e.stack ?? e.message}`);
    process.exit(1);
  });
else void simulatorThread(workerData as ThreadParams);
