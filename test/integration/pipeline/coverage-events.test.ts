// Events under the coverage objective, from the simulator's CloudTrail stream: a carrier someone breaks is repaired
// where it stands; a source that carried nothing is left alone; a change that takes coverage beyond its own source
// (deleted, no longer an organization source, no longer multi-Region) starts a sweep of exactly what it covered.
import * as ct from '@aws-sdk/client-cloudtrail';
import type { SQSEvent } from 'aws-lambda';
import { makeWorkerHandler } from '../../../functions/sweep-worker/handler';
import { AwsClients } from '../../../lib/aws/clients';
import { discoverTargets, organizationsClient } from '../../../lib/aws/organization';
import { InMemoryLedger } from '../../../lib/ledger/ledger';
import type { SweepTargets } from '../../../lib/pipeline/coverage';
import { handleEvent, type EventHandlerDeps, type EventOutcome } from '../../../lib/pipeline/handle-event';
import { coverageSummary } from '../../../lib/sweep/coverage-sweep';
import { runOrganization } from '../../../lib/sweep/organization-run';
import { InMemorySweepStore } from '../../../lib/sweep/store';
import { startSweep } from '../../../lib/sweep/sweep';
import { SimulatedQueue, runEventSourceMapping } from '../../../sim/sqs-queue';
import type { EventBridgeEvent } from '../../../sim/records';
import type { Simulator } from '../../../sim/server';
import type { WorldInput } from '../../../sim/world';
import { accountId, generateCarrierWorld } from '../../../bench/generate-world';
import { aPolicy } from '../../helpers/builders';
import { INSIGHT_SELECTOR, ROLE, startSim } from '../../helpers/sim';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const [MGMT, A, B] = [accountId(0), accountId(1), accountId(2)];
const BOTH = [{ InsightType: 'ApiCallRateInsight' as const }, { InsightType: 'ApiErrorRateInsight' as const }];
const ORG_TRAIL = `arn:aws:cloudtrail:us-east-1:${MGMT}:trail/org-trail`;
const users = [
  { accessKeyId: 'AKIABOB', account: MGMT, userName: 'bob' },
  { accessKeyId: 'AKIAMALLORY', account: A, userName: 'mallory' },
];

let sim: Simulator;
let events: EventBridgeEvent[];
let sweeps: { targets: SweepTargets; reason: string }[];
afterEach(() => sim.stop());

/** The organization trail analyzes everything; the account trails have no Insights. */
const orgTrailWorld = (): WorldInput => {
  const w = generateCarrierWorld(3, REGIONS);
  return { ...w, principals: users, trails: w.trails!.map((t) => (t.name === 'org-trail' ? { ...t, insightSelectors: BOTH } : t)) };
};

async function setup(world: WorldInput): Promise<EventHandlerDeps> {
  sim = await startSim({ world });
  const policy = aPolicy({ objective: 'coverage', scope: { regions: { include: REGIONS } } });
  const aws = new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
  const ledger = new InMemoryLedger();
  // A sweep first: the ledger knows each carrier's scope, as it does once the product runs.
  await runOrganization(await discoverTargets(organizationsClient(aws), policy), { policy, aws, managementAccountId: MGMT, now: () => sim.clock.now(), ledger });
  events = [];
  sweeps = [];
  sim.onEvent((e) => events.push(e));
  return { policy, aws, managementAccountId: MGMT, ledger, now: () => sim.clock.now(), ownRoles: { functionRoleNames: [], memberRoleName: ROLE }, startSweep: async (targets, reason) => (sweeps.push({ targets, reason }), `sweep-${sweeps.length}`) };
}

const as = (key: string) => new ct.CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: key, secretAccessKey: 'x' }, maxAttempts: 1 });
let productCalls = 0;
/** The product's writes: those made while the handler ran. */
const writes = () => sim.calls.slice(productCalls).filter((c) => c.status === 200 && /^(Put|Start|Update|Stop|Delete)/.test(c.operation)).map((c) => `${c.operation} ${c.account}`);

async function drain(deps: EventHandlerDeps): Promise<EventOutcome[]> {
  productCalls = sim.calls.length;
  const out: EventOutcome[] = [];
  for (let e = events.shift(); e; e = events.shift()) out.push(await handleEvent(e, deps));
  return out;
}

describe('events under the coverage objective', () => {
  it('restarts the organization trail someone stopped: it is the carrier', async () => {
    const deps = await setup(orgTrailWorld());
    await as('AKIABOB').send(new ct.StopLoggingCommand({ Name: 'org-trail' }));
    const [out] = await drain(deps);
    expect(out!.writes).toBe(1);
    expect(writes()).toEqual([`StartLogging ${MGMT}`]);
  });

  it('turns Insights on the organization trail back on after someone turned them off', async () => {
    const deps = await setup(orgTrailWorld());
    await as('AKIABOB').send(new ct.PutInsightSelectorsCommand({ TrailName: 'org-trail', InsightSelectors: [] }));
    const [out] = await drain(deps);
    expect(out!.writes).toBe(1);
    expect(writes()).toEqual([`PutInsightSelectors ${MGMT}`]);
  });

  it('leaves alone an account trail that carried nothing: the organization trail analyzes its account-regions', async () => {
    const deps = await setup(orgTrailWorld());
    await as('AKIAMALLORY').send(new ct.StopLoggingCommand({ Name: 'account-trail' }));
    const outs = await drain(deps);
    expect(outs.map((o) => o.writes)).toEqual([0]);
    expect(outs[0]!.reason).toMatch(/not a carrier of Insights before the call: not needed for coverage/);
    expect(writes()).toEqual([]);
  });

  it('sweeps every account outside its home region when the organization trail is made single-Region', async () => {
    const deps = await setup(orgTrailWorld());
    await as('AKIABOB').send(new ct.UpdateTrailCommand({ Name: 'org-trail', IsMultiRegionTrail: false }));
    const [out] = await drain(deps);
    expect(sweeps).toEqual([{ targets: { accounts: 'organization', regions: ['eu-west-1', 'ap-southeast-2'] }, reason: `UpdateTrail on ${ORG_TRAIL}` }]);
    expect(out!.reason).toContain('coverage lost in every account in eu-west-1, ap-southeast-2: sweep sweep-1 started');
  });

  it('sweeps every account in every region when the organization trail is made an account trail', async () => {
    const deps = await setup(orgTrailWorld());
    await as('AKIABOB').send(new ct.UpdateTrailCommand({ Name: 'org-trail', IsOrganizationTrail: false }));
    await drain(deps);
    expect(sweeps.map((s) => s.targets)).toEqual([{ accounts: 'organization', regions: REGIONS }]);
  });

  it('sweeps every account-region the organization trail covered when it is deleted, and writes nothing itself', async () => {
    const deps = await setup(orgTrailWorld());
    await as('AKIABOB').send(new ct.DeleteTrailCommand({ Name: 'org-trail' }));
    await drain(deps);
    expect(sweeps.map((s) => s.targets)).toEqual([{ accounts: 'organization', regions: REGIONS }]);
    expect(writes()).toEqual([]);
  });

  it("sweeps only the account's other regions when its multi-Region carrier is made single-Region", async () => {
    const w = generateCarrierWorld(3, REGIONS);
    const deps = await setup({ ...w, principals: users, trails: w.trails!.map((t) => (t.name === 'org-trail' ? t : { ...t, insightSelectors: BOTH })) });
    await as('AKIAMALLORY').send(new ct.UpdateTrailCommand({ Name: 'account-trail', IsMultiRegionTrail: false }));
    await drain(deps);
    expect(sweeps.map((s) => s.targets)).toEqual([{ accounts: [A], regions: ['eu-west-1', 'ap-southeast-2'] }]);
  });

  it('does not sweep when a source that carried nothing is deleted', async () => {
    const deps = await setup(orgTrailWorld());
    await as('AKIAMALLORY').send(new ct.DeleteTrailCommand({ Name: 'account-trail' }));
    const [out] = await drain(deps);
    expect(sweeps).toEqual([]);
    expect(out!.reason).toMatch(/analyzed nothing before the call: no coverage lost/);
  });

  it('runs that sweep through the sweep queue: it judges exactly the account-regions that lost coverage and repairs their own carriers', async () => {
    const deps = await setup(orgTrailWorld());
    const store = new InMemorySweepStore();
    const queue = new SimulatedQueue(sim.clock);
    const scheduler = { aws: deps.aws, policy: deps.policy, queue, store, now: deps.now };
    deps.startSweep = async (targets) => (await startSweep('targeted', scheduler, targets)).sweepId;
    await as('AKIABOB').send(new ct.UpdateTrailCommand({ Name: 'org-trail', IsMultiRegionTrail: false }));
    await drain(deps);
    const worker = makeWorkerHandler({ ...deps, store, queue });
    await runEventSourceMapping(queue, sim.clock, (e) => worker(e as unknown as SQSEvent), { batchSize: 5, concurrency: 2 });
    const s = (await store.load('targeted'))!;
    const judged = s.expected.filter((k) => !s.scope!.extras.includes(k)).sort();
    expect(judged).toEqual([MGMT, A, B].flatMap((a) => ['ap-southeast-2', 'eu-west-1'].map((r) => `${a}/${r}`)).sort());
    const summary = coverageSummary(deps.policy, s, false);
    // The members' own multi-Region trails take over their regions; the management account has no carrier of its own there.
    expect(writes().sort()).toEqual([`PutInsightSelectors ${A}`, `PutInsightSelectors ${B}`]);
    expect(summary).toMatchObject({ complete: true, coverage: { pendingFirstDelivery: 4, uncovered: 2 } });
    expect(summary.needsPerson.filter((n) => n.startsWith(MGMT))).toHaveLength(2);
  });

  describe('an organization event data store as the carrier', () => {
    const storeWorld = (): WorldInput => ({
      ...generateCarrierWorld(3, REGIONS),
      principals: users,
      // A trail without Insights, so CloudTrail's events reach EventBridge (no carrier: the store is).
      trails: [{ account: MGMT, name: 'events-only', homeRegion: 'us-east-1', multiRegion: true }],
      eventDataStores: [
        { account: MGMT, region: 'us-east-1', id: 'org-store', name: 'org-store', organization: true, multiRegion: true, insightSelectors: BOTH, insightsDestination: 'org-insights' },
        { account: MGMT, region: 'us-east-1', id: 'org-insights', name: 'org-insights', advancedEventSelectors: [INSIGHT_SELECTOR] },
      ],
    });
    const STORE = `arn:aws:cloudtrail:us-east-1:${MGMT}:eventdatastore/org-store`;

    it('restarts its ingestion when someone stops it', async () => {
      const deps = await setup(storeWorld());
      await as('AKIABOB').send(new ct.StopEventDataStoreIngestionCommand({ EventDataStore: 'org-store' }));
      await drain(deps);
      expect(writes()).toEqual([`StartEventDataStoreIngestion ${MGMT}`]);
    });

    it('sweeps the organization when it stops being an organization store, and when it is deleted', async () => {
      const deps = await setup(storeWorld());
      await as('AKIABOB').send(new ct.UpdateEventDataStoreCommand({ EventDataStore: 'org-store', OrganizationEnabled: false }));
      await drain(deps);
      expect(sweeps).toEqual([{ targets: { accounts: 'organization', regions: REGIONS }, reason: `UpdateEventDataStore on ${STORE}` }]);
      await as('AKIABOB').send(new ct.UpdateEventDataStoreCommand({ EventDataStore: 'org-store', TerminationProtectionEnabled: false }));
      await as('AKIABOB').send(new ct.DeleteEventDataStoreCommand({ EventDataStore: 'org-store' }));
      await drain(deps);
      // No longer an organization store when deleted: only its own account lost coverage.
      expect(sweeps.map((s) => s.targets).at(-1)).toEqual({ accounts: [MGMT], regions: REGIONS });
    });
  });
});
