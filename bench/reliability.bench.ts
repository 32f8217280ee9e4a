// The reliability run (a script with printed figures, not a timed test): users drift a simulated organization with
// thousands of CloudTrail calls while faults are injected, EventBridge delivers the resulting events at least once
// (duplicates, some at the same moment), Lambda retries failed invocations, and the product's own writes come back as
// events. Afterwards, with the faults gone, one report-mode check of every account-region finds what the events missed.
//
// What is counted, and how (independently of the product: the simulator's thread judges every write against its own
// state, just before and after it):
//   - needed writes: each repair call a user's call made necessary (StartLogging, PutEventSelectors,
//     PutInsightSelectors, StartEventDataStoreIngestion, UpdateEventDataStore); a need already open is not counted twice;
//   - duplicate writes: a product write its source did not need when it was made (e.g. a second PutInsightSelectors);
//   - loops: an event caused by the product's own write whose handling wrote again;
//   - lost findings: a source still drifted at the end that the event path never reported as unreachable and the
//     final check does not call not-remediable.
// Idempotency as wired (Powertools, keyed on the event id) is modelled by an in-memory map: a completed result is
// returned for a repeat, an in-progress repeat awaits the first; a failed invocation leaves no record. Half of the
// accounts' events go through it, the other half reach handleEvent directly, to show what the ledger lock and the
// re-read guarantee without it. Lambda's async retries (2, after about 1 and 2 minutes) are scaled to
// REL_RETRY_DELAY_MS and 2x that.
//
// Env: REL_EVENTS (10000 user calls), REL_ACCOUNTS (200), REL_REGIONS (2), REL_DUPLICATES (0.2), REL_FAULT_RATE (0.1,
// split evenly over throttle, serverError, accessDenied and drop on every CloudTrail and STS request), REL_USERS (48
// users calling at once), REL_CONCURRENCY (48 Lambda containers), REL_RETRY_DELAY_MS (1000), REL_SEED (42).
// Writes bench/results/reliability.json.
import * as ct from '@aws-sdk/client-cloudtrail';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, workerData } from 'node:worker_threads';
import { prng } from '../sim/faults';
import { AwsClients } from '../lib/aws/clients';
import { InMemoryLedger } from '../lib/ledger/ledger';
import { handleEvent, retryReason, type EventHandlerDeps, type EventOutcome } from '../lib/pipeline/handle-event';
import { remediate } from '../lib/pipeline/remediate';
import { defaultPolicy } from '../lib/policy/load';
import type { Policy } from '../lib/policy/schema';
import { storeLogged, trailLogged } from '../sim/cloudtrail/common';
import type { FaultEffect } from '../sim/faults';
import type { EventBridgeEvent } from '../sim/records';
import { Simulator } from '../sim/server';
import { accountId, driftUserKey, generateDriftWorld, REGIONS_17 } from './generate-world';
import { serveSimulator, startSimulatorThread } from './sim-thread';

const ROLE = 'InsightsRemediatorRole';
const FAULTS: FaultEffect[] = ['throttle', 'serverError', 'accessDenied', 'drop'];

interface ThreadParams {
  accounts: number;
  regions: string[];
  seed: number;
}

interface Tally {
  drifts: number;
  neededWrites: number;
  duplicateWrites: { arn: string; operation: string; at: number }[];
  productWrites: number;
}

// ---- the simulator's side (worker thread) ----
/** The repair calls a source needs now, judged from the simulator's state (the default policy: both types, management). */
function needsOf(sim: Simulator, arn: string): Set<string> {
  const out = new Set<string>();
  const both = (list: { InsightType: string }[]) => ['ApiCallRateInsight', 'ApiErrorRateInsight'].every((t) => list.some((s) => s.InsightType === t));
  const trail = sim.state.trails.get(arn);
  if (trail) {
    if (!trail.isLogging) out.add('StartLogging');
    if (!trailLogged(trail).managementWrite) out.add('PutEventSelectors');
    if (!both(trail.insightSelectors)) out.add('PutInsightSelectors');
    return out;
  }
  const store = sim.state.stores.get(arn);
  if (!store) return out;
  if (store.status === 'STOPPED_INGESTION' || store.status === 'STOPPING_INGESTION') out.add('StartEventDataStoreIngestion');
  if (!storeLogged(store).managementWrite) out.add('UpdateEventDataStore');
  const destination = store.insightsDestination && [...sim.state.stores.values()].find((s) => s.arn === store.insightsDestination || s.id === store.insightsDestination);
  if (!both(store.insightSelectors) || !destination || !storeLogged(destination).categories.has('Insight')) out.add('PutInsightSelectors');
  return out;
}

async function simulatorThread(params: ThreadParams): Promise<void> {
  const sim = await Simulator.start({ world: generateDriftWorld(params.accounts, params.regions), throttling: { enabled: true }, transitionMs: 100, seed: params.seed });
  const sources = new Map<string, string[]>(); // account/region -> the drifting sources there
  for (const t of sim.state.trails.values()) if (!t.organization) sources.set(`${t.account}/${t.homeRegion}`, [...(sources.get(`${t.account}/${t.homeRegion}`) ?? []), t.arn]);
  for (const s of sim.state.stores.values()) if (!storeLogged(s).categories.has('Insight')) sources.set(`${s.account}/${s.region}`, [...(sources.get(`${s.account}/${s.region}`) ?? []), s.arn]);
  const open = new Map<string, Set<string>>();
  const tally: Tally = { drifts: 0, neededWrites: 0, duplicateWrites: [], productWrites: 0 };
  let removeFaults: (() => void)[] = [];

  // Runs synchronously as the simulator records each write, so `open` is the state just before it.
  sim.onEvent((event) => {
    const d = event.detail as { eventName: string; errorCode?: string | null; requestParameters?: Record<string, unknown> | null; userIdentity?: { sessionContext?: { sessionIssuer?: { arn?: string } } } };
    if (event['detail-type'] === 'AWS API Call via CloudTrail' && !d.errorCode) {
      const product = String(d.userIdentity?.sessionContext?.sessionIssuer?.arn ?? '').endsWith(`:role/${ROLE}`);
      if (product) {
        tally.productWrites++;
        const q = d.requestParameters ?? {};
        const arn = String(q.trailName ?? q.name ?? q.eventDataStore ?? '');
        if (open.get(arn)?.delete(d.eventName)) tally.neededWrites++;
        else tally.duplicateWrites.push({ arn, operation: d.eventName, at: Date.now() });
      }
      for (const arn of sources.get(`${event.account}/${event.region}`) ?? []) {
        const now = needsOf(sim, arn);
        const before = open.get(arn) ?? new Set();
        if (!product) for (const n of now) if (!before.has(n)) tally.drifts++;
        open.set(arn, now);
      }
    }
  });

  serveSimulator(sim, {
    faults: (a) => {
      const rate = Number(a.rate);
      removeFaults.forEach((r) => r());
      removeFaults = rate ? (['cloudtrail', 'sts'] as const).flatMap((service) => FAULTS.map((effect) => sim.faults.add({ effect, service, rate: rate / FAULTS.length }))) : [];
      return true;
    },
    report: () => {
      // Settle transitions (a store stopped a moment ago) before judging what is still open.
      for (const [arn] of open) open.set(arn, needsOf(sim, arn));
      const injected = sim.faults.injected();
      const counts = sim.callCounts();
      const byService: Record<string, number> = {};
      for (const c of sim.calls) byService[c.service] = (byService[c.service] ?? 0) + 1;
      return {
        tally,
        open: [...open].filter(([, s]) => s.size > 0).map(([arn, s]) => ({ arn, needs: [...s] })),
        injected,
        errors: counts.errors,
        byService,
      };
    },
    injected: () => sim.faults.injected(),
  }, { forwardEvents: true });
}

// ---- the product's and the users' side (main thread) ----

const READ_ONLY_MANAGEMENT = [{ Name: 'read-only management', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] }] }];

/** What users do, with how often: drifting calls on trails and stores, and calls that change nothing Insights need. */
const ACTIONS: { name: string; weight: number; call: (c: ct.CloudTrailClient, region: string, i: number) => Promise<unknown> }[] = [
  { name: 'PutInsightSelectors [] (trail)', weight: 12, call: (c, r) => c.send(new ct.PutInsightSelectorsCommand({ TrailName: `main-${r}`, InsightSelectors: [] })) },
  { name: 'PutInsightSelectors one type (trail)', weight: 8, call: (c, r) => c.send(new ct.PutInsightSelectorsCommand({ TrailName: `main-${r}`, InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] })) },
  { name: 'StopLogging', weight: 12, call: (c, r) => c.send(new ct.StopLoggingCommand({ Name: `main-${r}` })) },
  { name: 'PutEventSelectors read-only', weight: 8, call: (c, r) => c.send(new ct.PutEventSelectorsCommand({ TrailName: `main-${r}`, EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }] })) },
  { name: 'StopEventDataStoreIngestion', weight: 10, call: (c, r) => c.send(new ct.StopEventDataStoreIngestionCommand({ EventDataStore: `mgmt-${r}` })) },
  { name: 'PutInsightSelectors [] (store)', weight: 10, call: (c, r) => c.send(new ct.PutInsightSelectorsCommand({ EventDataStore: `mgmt-${r}`, InsightSelectors: [] })) },
  { name: 'UpdateEventDataStore read-only', weight: 5, call: (c, r) => c.send(new ct.UpdateEventDataStoreCommand({ EventDataStore: `mgmt-${r}`, AdvancedEventSelectors: READ_ONLY_MANAGEMENT })) },
  { name: 'UpdateTrail S3KeyPrefix', weight: 15, call: (c, r, i) => c.send(new ct.UpdateTrailCommand({ Name: `main-${r}`, S3KeyPrefix: `logs-${i}` })) },
  { name: 'UpdateEventDataStore retention', weight: 10, call: (c, r, i) => c.send(new ct.UpdateEventDataStoreCommand({ EventDataStore: `mgmt-${r}`, RetentionPeriod: 400 + (i % 1000) })) },
  { name: 'AddTags (trail)', weight: 10, call: (c, r, i) => c.send(new ct.AddTagsCommand({ ResourceId: `main-${r}`, TagsList: [{ Key: 'touched', Value: String(i) }] })) },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const issuer = (e: EventBridgeEvent) => String((e.detail as { userIdentity?: { sessionContext?: { sessionIssuer?: { arn?: string } } } }).userIdentity?.sessionContext?.sessionIssuer?.arn ?? '');

async function main(): Promise<void> {
  const started = performance.now();
  const env = (k: string, d: number) => Number(process.env[k] ?? d);
  const totalEvents = env('REL_EVENTS', 10_000);
  const accounts = env('REL_ACCOUNTS', 200);
  const regions = REGIONS_17.slice(0, env('REL_REGIONS', 2));
  const duplicateRate = env('REL_DUPLICATES', 0.2);
  const faultRate = env('REL_FAULT_RATE', 0.1);
  const users = env('REL_USERS', 48);
  const concurrency = env('REL_CONCURRENCY', 48);
  const retryDelayMs = env('REL_RETRY_DELAY_MS', 1000);
  const seed = env('REL_SEED', 42);
  const random = prng(seed);
  const management = accountId(0);
  const members = Array.from({ length: accounts - 1 }, (_, i) => accountId(i + 1));
  console.log(`reliability run: ${totalEvents} user calls on ${accounts} accounts x ${regions.length} regions, ${duplicateRate * 100}% delivered twice, ${faultRate * 100}% of CloudTrail and STS requests faulted (${FAULTS.join(', ')}), ${concurrency} Lambda containers, retries after ${retryDelayMs} and ${2 * retryDelayMs} ms`);
  const sim = await startSimulatorThread(import.meta.url, { accounts, regions, seed } satisfies ThreadParams);
  // The breaker would stop repairs of sources drifted a dozen times in minutes and hide whether repairs happen; it has its own tests.
  // everySource: every drift is repaired where it happens, the hardest case for duplicates and loops.
  const policy: Policy = { ...defaultPolicy(), mode: 'enforce', objective: 'everySource', scope: { ...defaultPolicy().scope, regions: { include: regions, exclude: [] } }, limits: { ...defaultPolicy().limits, breaker: { maxRepairs: 1_000_000, windowMinutes: 60 } } };
  const clients = () => new AwsClients({ managementAccountId: management, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: management, secretAccessKey: 'x' } });
  const ledger = new InMemoryLedger();
  // Lambda containers: each keeps its own clients and budget between invocations; at most `concurrency` run at once.
  const containers: EventHandlerDeps[] = Array.from({ length: concurrency }, () => ({ policy, aws: clients(), managementAccountId: management, ledger, now: () => new Date(), ownRoles: { functionRoleNames: [], memberRoleName: ROLE } }));
  const waiting: (() => void)[] = [];
  const acquire = async (): Promise<EventHandlerDeps> => {
    for (;;) {
      const c = containers.pop();
      if (c) return c;
      await new Promise<void>((r) => waiting.push(r));
    }
  };
  const release = (c: EventHandlerDeps) => (containers.push(c), waiting.shift()?.());

  const stats = {
    userCalls: 0,
    userCallsFailed: 0,
    userActions: {} as Record<string, number>,
    eventsUnique: 0,
    ownEvents: 0,
    duplicatesDelivered: 0,
    duplicatesConcurrent: 0,
    invocations: 0,
    idempotentRepeats: 0,
    retries: 0,
    retriesExhausted: 0,
    thrown: 0,
    loops: 0,
    unreachableOutcomes: 0,
    writesByPath: { idempotent: 0, direct: 0 },
    duplicatesByPath: { idempotent: 0, direct: 0 },
    breakerOpen: 0,
  };
  const reportedUnreachable = new Set<string>();
  const retryReasons: Record<string, number> = {};
  const idempotency = new Map<string, { done?: EventOutcome; running?: Promise<EventOutcome> }>();
  let inFlight = 0;

  const run = async (e: EventBridgeEvent): Promise<EventOutcome> => {
    const c = await acquire();
    try {
      stats.invocations++;
      return await handleEvent(e, c);
    } finally {
      release(c);
    }
  };
  /** Powertools idempotency keyed on the event id, in memory: completed results come back, a failure leaves no record. */
  const idempotent = async (e: EventBridgeEvent): Promise<EventOutcome> => {
    const rec = idempotency.get(e.id);
    if (rec?.done) return (stats.idempotentRepeats++, rec.done);
    if (rec?.running) return (stats.idempotentRepeats++, rec.running);
    const running = run(e);
    idempotency.set(e.id, { running });
    try {
      const out = await running;
      if (retryReason(out)) idempotency.delete(e.id);
      else idempotency.set(e.id, { done: out });
      return out;
    } catch (err) {
      idempotency.delete(e.id);
      throw err;
    }
  };
  const accountIndex = (e: EventBridgeEvent) => Number(e.account) % 2;
  /** One Lambda async invocation and its retries. */
  const deliver = async (e: EventBridgeEvent, attempt = 0): Promise<void> => {
    inFlight++;
    const path = accountIndex(e) === 0 ? 'idempotent' : 'direct';
    let retry: string | undefined;
    try {
      const out = await (path === 'idempotent' ? idempotent(e) : run(e));
      retry = retryReason(out);
      stats.writesByPath[path] += out.writes;
      if (out.breakerOpen) stats.breakerOpen++;
      if (issuer(e).endsWith(`:role/${ROLE}`) && out.writes > 0) stats.loops++;
      const arn = out.target?.arn;
      for (const r of out.result?.results ?? []) {
        const denied = r.status === 'unreachable' || r.outcomes.some((o) => o.status === 'failed' && o.error.class === 'accessDenied') || r.verified.some((v) => v.error?.class === 'accessDenied');
        if (denied) (stats.unreachableOutcomes++, arn && reportedUnreachable.add(arn));
        else if (arn && r.status === 'done' && !retry) reportedUnreachable.delete(arn);
      }
    } catch (err) {
      stats.thrown++;
      retry = `threw ${(err as Error).name}`;
    }
    if (retry) {
      const key = retry.replace(/arn:\S+|\d{12}\/[a-z0-9-]+/g, '<source>').slice(0, 90);
      retryReasons[key] = (retryReasons[key] ?? 0) + 1;
      if (attempt < 2) {
        stats.retries++;
        inFlight++;
        setTimeout(() => void deliver(e, attempt + 1).finally(() => inFlight--), retryDelayMs * (attempt + 1));
      } else stats.retriesExhausted++;
    }
    inFlight--;
  };

  sim.onEvent((e) => {
    if (e['detail-type'] !== 'AWS API Call via CloudTrail') return;
    if (issuer(e).endsWith(`:role/${ROLE}`)) stats.ownEvents++;
    else stats.eventsUnique++;
    void deliver(e);
    if (issuer(e).endsWith(`:role/${ROLE}`) || random() >= duplicateRate) return;
    stats.duplicatesDelivered++;
    const path = accountIndex(e) === 0 ? 'idempotent' : 'direct';
    stats.duplicatesByPath[path]++;
    if (random() < 0.5) {
      stats.duplicatesConcurrent++;
      void deliver(structuredClone(e));
    } else {
      inFlight++;
      setTimeout(() => void deliver(structuredClone(e)).finally(() => inFlight--), Math.floor(random() * 3000));
    }
  });

  await sim.rpc('faults', { rate: faultRate });
  const userClients = new Map<string, ct.CloudTrailClient>();
  const userClient = (account: string, region: string) => {
    const key = `${account}/${region}`;
    let c = userClients.get(key);
    if (!c) userClients.set(key, (c = new ct.CloudTrailClient({ endpoint: sim.endpoint, region, credentials: { accessKeyId: driftUserKey(account), secretAccessKey: 'x' }, maxAttempts: 10 })));
    return c;
  };
  const weights = ACTIONS.reduce((a, x) => a + x.weight, 0);
  let issued = 0;
  let nextReport = 0.1;
  const user = async () => {
    while (issued < totalEvents) {
      const i = issued++;
      if (issued / totalEvents >= nextReport) {
        process.stderr.write(`  ${Math.round(nextReport * 100)}% of user calls issued after ${((performance.now() - started) / 1000).toFixed(0)} s (${inFlight} deliveries in flight)\n`);
        nextReport += 0.1;
      }
      const account = members[Math.floor(random() * members.length)]!;
      const region = regions[Math.floor(random() * regions.length)]!;
      let pick = random() * weights;
      const action = ACTIONS.find((a) => (pick -= a.weight) < 0) ?? ACTIONS[0]!;
      stats.userCalls++;
      stats.userActions[action.name] = (stats.userActions[action.name] ?? 0) + 1;
      try {
        await action.call(userClient(account, region), region, i);
      } catch {
        stats.userCallsFailed++; // refused (e.g. a store already stopped) or faulted: its event says so and is ignored
      }
    }
  };
  await Promise.all(Array.from({ length: users }, user));
  const usersDoneMs = performance.now() - started;
  // Drain: every delivery, duplicate and retry done, and the stream quiet.
  for (let quiet = 0; quiet < 5; ) {
    await sleep(200);
    quiet = inFlight === 0 ? quiet + 1 : 0;
  }
  const drainedMs = performance.now() - started;
  const injected = await sim.rpc<Record<string, number>>('injected');
  await sim.rpc('faults', { rate: 0 });
  await sleep(1500); // store transitions settle, quota buckets refill

  // One check of every account-region, report mode, no faults: what did the events miss?
  const final = await remediate(
    members.flatMap((a) => regions.map((region) => ({ kind: 'accountRegion' as const, accountId: a, region }))),
    { policy: { ...policy, mode: 'report' }, aws: clients(), managementAccountId: management, now: () => new Date(), concurrency: 16 },
  );
  const drifted = final.results.flatMap((r) => r.decisions.filter((d) => d.finding.status === 'drifted' || d.finding.status === 'not-remediable').map((d) => ({ arn: d.source.arn, status: d.finding.status, summary: d.finding.summary })));
  const unreachableAtEnd = final.results.filter((r) => r.status !== 'done').length;
  const report = await sim.rpc<{ tally: Tally; open: { arn: string; needs: string[] }[]; injected: Record<string, number>; errors: Record<string, number>; byService: Record<string, number> }>('report');
  await sim.stop();

  const openArns = new Set(report.open.map((o) => o.arn));
  const driftedArns = new Set(drifted.map((d) => d.arn));
  const notRemediable = new Set(drifted.filter((d) => d.status === 'not-remediable').map((d) => d.arn));
  const unrepaired = [...new Set([...openArns, ...driftedArns])];
  const lost = unrepaired.filter((arn) => !reportedUnreachable.has(arn) && !notRemediable.has(arn));
  const wallMs = performance.now() - started;
  const result = {
    at: new Date().toISOString(),
    node: process.version,
    parameters: { userCalls: totalEvents, accounts, regions: regions.length, duplicateRate, faultRate, users, concurrency, retryDelayMs, seed, breakerMaxRepairs: 1_000_000 },
    events: { unique: stats.eventsUnique, duplicatesDelivered: stats.duplicatesDelivered, duplicatesConcurrent: stats.duplicatesConcurrent, ownRoleEventsFedBack: stats.ownEvents, invocations: stats.invocations, idempotentRepeats: stats.idempotentRepeats },
    userCalls: { total: stats.userCalls, failed: stats.userCallsFailed, byAction: stats.userActions },
    writes: { made: report.tally.productWrites, needed: report.tally.drifts, neededAndMade: report.tally.neededWrites, duplicate: report.tally.duplicateWrites.length, duplicateDetails: report.tally.duplicateWrites.slice(0, 20), byPath: stats.writesByPath, duplicatesDeliveredByPath: stats.duplicatesByPath },
    lostFindings: lost.length,
    lostDetails: lost.slice(0, 20).map((arn) => ({ arn, needs: report.open.find((o) => o.arn === arn)?.needs ?? [], finalCheck: drifted.find((d) => d.arn === arn)?.summary ?? 'compliant' })),
    unrepairedAtEnd: unrepaired.length,
    reportedUnreachable: unrepaired.filter((arn) => reportedUnreachable.has(arn)).length,
    notRemediableAtEnd: notRemediable.size,
    finalCheck: { accountRegions: final.results.length, drifted: drifted.length, unreachable: unreachableAtEnd, agreesWithSimulator: [...driftedArns].every((a) => openArns.has(a)) && [...openArns].every((a) => driftedArns.has(a)) },
    loops: stats.loops,
    retries: { scheduled: stats.retries, exhausted: stats.retriesExhausted, thrown: stats.thrown, reasons: retryReasons },
    unreachableOutcomes: stats.unreachableOutcomes,
    breakerOpen: stats.breakerOpen,
    faultsInjected: injected,
    throttledCalls: (report.errors.ThrottlingException ?? 0) + (report.errors.Throttling ?? 0),
    errors: report.errors,
    calls: report.byService,
    wallSeconds: Math.round(wallMs / 1000),
    usersDoneSeconds: Math.round(usersDoneMs / 1000),
    drainedSeconds: Math.round(drainedMs / 1000),
  };
  mkdirSync(join(process.cwd(), 'bench/results'), { recursive: true });
  writeFileSync(join(process.cwd(), 'bench/results/reliability.json'), `${JSON.stringify(result, null, 2)}\n`);

  const line = (k: string, v: string) => console.log(`  ${k.padEnd(24)}${v}`);
  console.log('');
  line('user calls', `${result.userCalls.total} (${result.userCalls.failed} refused or faulted); ${Object.entries(result.userCalls.byAction).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  line('events processed', `${result.events.unique} unique + ${result.events.duplicatesDelivered} duplicates (${result.events.duplicatesConcurrent} at the same moment) + ${result.events.ownRoleEventsFedBack} of the product's own writes fed back; ${result.events.invocations} handler runs, ${result.events.idempotentRepeats} answered by idempotency`);
  line('writes', `${result.writes.made} made; ${result.writes.needed} needed (distinct repairs the users' drifts required), ${result.writes.neededAndMade} of them made; ${result.writes.duplicate} duplicate (idempotent path ${stats.duplicatesByPath.idempotent} duplicates delivered, direct path ${stats.duplicatesByPath.direct})`);
  line('lost findings', `${result.lostFindings} (unrepaired at the end ${result.unrepairedAtEnd}: reported unreachable ${result.reportedUnreachable}, not remediable ${result.notRemediableAtEnd})`);
  line('duplicate writes', String(result.writes.duplicate));
  line('loops', String(result.loops));
  line('retries', `${result.retries.scheduled} scheduled, ${result.retries.exhausted} exhausted, ${result.retries.thrown} handler throws; ${Object.entries(result.retries.reasons).map(([k, v]) => `${v}x ${k}`).join('; ') || 'none'}`);
  line('faults injected', `${Object.entries(result.faultsInjected).map(([k, v]) => `${k} ${v}`).join(', ')}; throttled calls in all ${result.throttledCalls} (faults and quota)`);
  line('final check', `${result.finalCheck.accountRegions} account-regions, ${result.finalCheck.drifted} drifted, ${result.finalCheck.unreachable} unreachable; agrees with the simulator's own judgement: ${result.finalCheck.agreesWithSimulator}`);
  line('calls', `${Object.entries(result.calls).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  line('wall time', `${result.wallSeconds} s (users done ${result.usersDoneSeconds} s, deliveries drained ${result.drainedSeconds} s)`);
  if (result.lostDetails.length) console.log(`  lost: ${JSON.stringify(result.lostDetails.slice(0, 5))}`);
  if (result.writes.duplicateDetails.length) console.log(`  duplicate writes: ${JSON.stringify(result.writes.duplicateDetails.slice(0, 5))}`);
  console.log(`targets: 0 lost findings ${result.lostFindings === 0 ? 'MET' : 'MISSED'}, 0 duplicate writes ${result.writes.duplicate === 0 ? 'MET' : 'MISSED'}, 0 loops ${result.loops === 0 ? 'MET' : 'MISSED'}; bench/results/reliability.json written`);
}

if (isMainThread)
  main().catch((e: Error) => {
    console.error(`reliability run failed: ${e.stack ?? e.message}`);
    process.exit(1);
  });
else void simulatorThread(workerData as ThreadParams);
