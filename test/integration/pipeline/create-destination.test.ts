// Insights destinations the product creates (eventDataStores.destination strategy create), end to end: real SDK
// clients against the simulator, whose CreateEventDataStore enforces the rules this relies on (10 stores per region,
// unique names, retention bounds, the Insight-category constraints).
import * as ct from '@aws-sdk/client-cloudtrail';
import { AwsClients } from '../../../lib/aws/clients';
import { discoverTargets, organizationsClient } from '../../../lib/aws/organization';
import { runOrganization } from '../../../lib/sweep/organization-run';
import { InMemoryLedger, updateRecord } from '../../../lib/ledger/ledger';
import { handleEvent } from '../../../lib/pipeline/handle-event';
import { remediate, retryableFailure, type RemediateDeps, type RemediationResult, type Target } from '../../../lib/pipeline/remediate';
import type { EventBridgeEvent } from '../../../sim/records';
import type { Simulator } from '../../../sim/server';
import type { WorldInput } from '../../../sim/world';
import { aPolicy } from '../../helpers/builders';
import { cloudtrail, DEV, MGMT, PROD, ROLE, startSim, storeArn, testWorld } from '../../helpers/sim';

let sim: Simulator;
afterEach(() => sim.stop());

const REGIONS = ['us-east-1', 'eu-west-1'];
const INSIGHT_SELECTOR = [{ Name: 'Select Insights events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Insight'] }] }];
const devLake = (region: string) => storeArn(`dev-lake-${region}`, DEV, region);

/** dev uses CloudTrail Lake (a management-event store in each of `regions`) and has no Insight store; prod has no store. */
function lakeWorld(extraStores: NonNullable<WorldInput['eventDataStores']> = [], regions = REGIONS): WorldInput {
  return testWorld({
    // EventBridge receives CloudTrail events only where a trail logs them (the policy leaves trails out of scope).
    trails: [{ account: DEV, name: 'dev-trail', homeRegion: 'us-east-1', multiRegion: true }],
    principals: [{ accessKeyId: 'AKIADEVADMIN', account: DEV, userName: 'dev-admin' }],
    eventDataStores: [...regions.map((region) => ({ account: DEV, region, id: `dev-lake-${region}`, name: `dev-lake-${region}` })), ...extraStores],
  });
}

function deps(destination: Record<string, unknown> = {}, over: Record<string, unknown> = {}): RemediateDeps {
  return {
    policy: aPolicy({ mode: 'enforce', trails: { enabled: false }, eventDataStores: { destination: { strategy: 'create', terminationProtection: false, ...destination } }, ...over }),
    aws: new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } }),
    managementAccountId: MGMT,
    now: () => sim.clock.now(),
  };
}

const targets: Target[] = [DEV, PROD].flatMap((accountId) => REGIONS.map((region) => ({ kind: 'accountRegion' as const, accountId, region })));
const cloudTrailWrites = (from = 0) => sim.calls.slice(from).filter((c) => c.service === 'cloudtrail' && !/^(Get|List|Describe|Lookup)/.test(c.operation));
const outcomes = (r: RemediationResult) => r.results.flatMap((x) => x.outcomes);
const destinationOf = async (region: string) => (await cloudtrail(sim, DEV, region).send(new ct.GetInsightSelectorsCommand({ EventDataStore: devLake(region) }))).InsightsDestination;
const insightStores = async (region: string) => {
  const client = cloudtrail(sim, DEV, region);
  const listed = (await client.send(new ct.ListEventDataStoresCommand({}))).EventDataStores ?? [];
  const stores = await Promise.all(listed.map((s) => client.send(new ct.GetEventDataStoreCommand({ EventDataStore: s.EventDataStoreArn! }))));
  return stores.filter((s) => JSON.stringify(s.AdvancedEventSelectors).includes('"Insight"'));
};

describe('an account that uses CloudTrail Lake and has no Insights destination', () => {
  it('gets exactly one new destination and Insights on the source, in one run; a second run writes nothing', async () => {
    sim = await startSim({ world: lakeWorld([], ['us-east-1']) });
    const first = await remediate(targets, deps());
    expect(cloudTrailWrites().map((c) => `${c.operation} ${c.account} ${c.region} ${c.status}`)).toEqual([`CreateEventDataStore ${DEV} us-east-1 200`, `PutInsightSelectors ${DEV} us-east-1 200`]);
    const [store, ...others] = [...(await insightStores('us-east-1')), ...(await insightStores('eu-west-1'))];
    expect(others).toEqual([]);
    expect(store).toMatchObject({ Name: 'insights-destination', AdvancedEventSelectors: INSIGHT_SELECTOR, RetentionPeriod: 366, BillingMode: 'EXTENDABLE_RETENTION_PRICING', OrganizationEnabled: false, TerminationProtectionEnabled: false });
    expect(await destinationOf('us-east-1')).toBe(store!.EventDataStoreArn);
    // The outcome carries the call as made: the created store's ARN, not the plan's reference to it.
    const put = outcomes(first).find((o) => o.action.kind === 'putInsightSelectors')!;
    expect([put.status, (put.action.input as { InsightsDestination: string }).InsightsDestination]).toEqual(['applied', store!.EventDataStoreArn]);
    expect(first.results.flatMap((r) => r.verified)).toEqual([expect.objectContaining({ arn: devLake('us-east-1'), converged: true })]);
    // The finding says what the new store costs.
    const finding = first.results.flatMap((r) => r.decisions).find((d) => d.source.arn === devLake('us-east-1'))!.finding;
    expect(finding.summary).toMatch(/ingesting Insights events into it is billed/);

    const before = sim.calls.length;
    const second = await remediate(targets, deps());
    expect(cloudTrailWrites(before)).toEqual([]);
    expect(second.writesApplied).toBe(0);
  });

  // PutInsightSelectors requires only the same account (`com.amazonaws.cloudtrail#PutInsightSelectorsRequest$InsightsDestination`:
  // "The source and destination event data stores must belong to the same AWS account"), so one destination serves
  // every region of the account (perAccount), and the product already keeps a current destination in another region
  // (lib/aws/read.ts); the simulator accepts a destination ARN of the same account homed in another Region.
  it('serves every region of the account with that one destination (perAccount): the second region reads the first region\'s new store and uses it', async () => {
    sim = await startSim({ world: lakeWorld() });
    await remediate(targets, deps());
    expect(cloudTrailWrites().filter((c) => c.operation === 'CreateEventDataStore')).toHaveLength(1);
    const stores = [...(await insightStores('us-east-1')), ...(await insightStores('eu-west-1'))];
    expect(stores).toHaveLength(1);
    for (const region of REGIONS) expect(await destinationOf(region)).toBe(stores[0]!.EventDataStoreArn);
  });

  it('never creates a second destination for the account in a run (one CreateEventDataStore, one Insight store across its regions)', async () => {
    sim = await startSim({ world: lakeWorld() });
    await remediate(targets, deps());
    expect(cloudTrailWrites().filter((c) => c.operation === 'CreateEventDataStore')).toHaveLength(1);
    expect([...(await insightStores('us-east-1')), ...(await insightStores('eu-west-1'))]).toHaveLength(1);
  });

  it('creates one destination when two containers plan it at once: the name collides, the loser retries and uses the winner\'s store', async () => {
    sim = await startSim({ world: lakeWorld([], ['us-east-1']) });
    const only: Target[] = [{ kind: 'accountRegion', accountId: DEV, region: 'us-east-1' }];
    // Two invocations, each with its own clients and its own run (as two Lambda containers have), read the account
    // before either writes, so both plan the same CreateEventDataStore.
    const [a, b] = await Promise.all([remediate(only, deps()), remediate(only, deps())]);
    const creates = cloudTrailWrites().filter((c) => c.operation === 'CreateEventDataStore');
    expect(creates.map((c) => c.status).sort()).toEqual([200, 400]);
    expect(creates.find((c) => c.status === 400)!.error).toBe('EventDataStoreAlreadyExistsException');
    expect(await insightStores('us-east-1')).toHaveLength(1);
    // The loser's run says retry (Lambda delivers the event again; a sweep sends the region again), not "refused".
    const loser = [a, b].find((r) => outcomes(r).some((o) => o.status === 'failed'))!;
    expect(retryableFailure(loser.results[0]!)).toMatch(/EventDataStoreAlreadyExistsException/);
    expect(loser.results.flatMap((r) => r.decisions).map((d) => d.finding.status)).not.toContain('not-remediable');
    // The retry reads the store the winner made and writes nothing more.
    const before = sim.calls.length;
    const retry = await remediate(only, deps());
    expect(cloudTrailWrites(before)).toEqual([]);
    expect(retry.writesApplied).toBe(0);
    expect(await destinationOf('us-east-1')).toBe((await insightStores('us-east-1'))[0]!.EventDataStoreArn);
  });

  it('never creates one in an account with no event data store of its own (it would make it a new CloudTrail Lake customer)', async () => {
    sim = await startSim({ world: lakeWorld() });
    await remediate(targets, deps());
    expect(cloudTrailWrites().filter((c) => c.account === PROD)).toEqual([]);
    expect((await cloudtrail(sim, PROD).send(new ct.ListEventDataStoresCommand({}))).EventDataStores).toEqual([]);
  });

  it('creates one destination in each region under scope perRegion', async () => {
    sim = await startSim({ world: lakeWorld() });
    await remediate(targets, deps({ scope: 'perRegion', name: 'regional-insights' }));
    for (const region of REGIONS) {
      const stores = await insightStores(region);
      expect(stores.map((s) => s.Name)).toEqual(['regional-insights']);
      expect(await destinationOf(region)).toBe(stores[0]!.EventDataStoreArn);
    }
    expect(cloudTrailWrites().filter((c) => c.operation === 'CreateEventDataStore').map((c) => c.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('in report mode plans the CreateEventDataStore once and both PutInsightSelectors naming the store it would create, and makes none', async () => {
    sim = await startSim({ world: lakeWorld() });
    const r = await remediate(targets, deps({}, { mode: 'report' }));
    expect(cloudTrailWrites()).toEqual([]);
    const planned = outcomes(r);
    expect(planned.every((o) => o.status === 'planned')).toBe(true);
    const creates = planned.filter((o) => o.action.kind === 'createInsightsDestination');
    expect(creates).toHaveLength(1);
    const create = creates[0]!.action as Extract<(typeof creates)[number]['action'], { kind: 'createInsightsDestination' }>;
    expect(create.input).toMatchObject({ Name: 'insights-destination', AdvancedEventSelectors: INSIGHT_SELECTOR });
    expect(create.why).toMatch(/ingesting Insights events into it is billed/);
    const puts = planned.filter((o) => o.action.kind === 'putInsightSelectors').map((o) => o.action.input as { EventDataStore: string; InsightsDestination: string });
    expect(puts.map((p) => p.EventDataStore).sort()).toEqual(REGIONS.map(devLake).sort());
    expect(puts.map((p) => p.InsightsDestination)).toEqual([create.creates, create.creates]);
    expect(create.creates).toMatch(/^\(the event data store insights-destination this plan creates in 333333333333 (us-east-1|eu-west-1)\)$/);
  });

  it('counts the create against the write cap: a cap of 1 leaves the source untouched rather than half-repaired', async () => {
    sim = await startSim({ world: lakeWorld() });
    const r = await remediate([{ kind: 'accountRegion', accountId: DEV, region: 'us-east-1' }], deps({}, { limits: { maxWritesPerSweep: 1 } }));
    expect(cloudTrailWrites()).toEqual([]);
    expect(outcomes(r).map((o) => `${o.action.operation}:${o.status}`)).toEqual(['CreateEventDataStore:skipped', 'PutInsightSelectors:skipped']);
  });

  it('reports an account-region at the 10-store quota as not remediable with the reason, and does not try', async () => {
    const archives = Array.from({ length: 9 }, (_, i) => ({ account: DEV, region: 'us-east-1', id: `archive-${i}`, name: `archive-${i}` }));
    sim = await startSim({ world: lakeWorld(archives) });
    const policyDeps = deps({}, { eventDataStores: { select: { excludeNames: ['archive-*'] }, destination: { strategy: 'create' } } });
    for (let run = 0; run < 2; run++) {
      const r = await remediate([{ kind: 'accountRegion', accountId: DEV, region: 'us-east-1' }], policyDeps);
      const d = r.results[0]!.decisions.find((x) => x.source.arn === devLake('us-east-1'))!;
      expect(d.finding.status).toBe('not-remediable');
      expect(d.finding.blockers.map((b) => b.code)).toEqual(['eventDataStoreLimitReached']);
      expect(d.finding.summary).toMatch(/10 event data stores in us-east-1: CloudTrail's quota \(10 per region\) leaves no room to create one/);
      expect(retryableFailure(r.results[0]!)).toBeUndefined();
    }
    expect(cloudTrailWrites()).toEqual([]);
    // The simulator holds the same line: an 11th store is refused.
    const refused = await cloudtrail(sim, DEV).send(new ct.CreateEventDataStoreCommand({ Name: 'one-too-many', AdvancedEventSelectors: INSIGHT_SELECTOR })).catch((e: Error) => e);
    expect((refused as Error).name).toBe('EventDataStoreMaxLimitExceededException');
  });
});

describe('under the coverage objective (the product\'s default), as a sweep of the organization', () => {
  it('creates the destination of the store the plan chooses as its account\'s carrier, in one sweep, and the next sweep writes nothing', async () => {
    // Nothing else analyzes dev: its multi-Region store is the carrier; the organization trail is not there to prefer.
    sim = await startSim({ world: { ...lakeWorld([], ['us-east-1']), trails: [{ account: DEV, name: 'dev-trail', homeRegion: 'us-east-1', multiRegion: true, eventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::dev/'] }] }] }] } });
    const base = deps({}, { objective: 'coverage', scope: { accounts: { include: [DEV] }, regions: { include: REGIONS } } });
    const sweep = async (policy = base.policy) => runOrganization(await discoverTargets(organizationsClient(base.aws), policy), { policy, aws: base.aws, managementAccountId: MGMT, now: base.now });
    const report = await sweep({ ...base.policy, mode: 'report' });
    expect(cloudTrailWrites()).toEqual([]);
    expect(report.results.flatMap((r) => r.outcomes).map((o) => `${o.action.operation}:${o.status}`)).toEqual(['CreateEventDataStore:planned', 'PutInsightSelectors:planned']);
    const first = await sweep();
    expect(cloudTrailWrites().map((c) => `${c.operation} ${c.account} ${c.region}`)).toEqual([`CreateEventDataStore ${DEV} us-east-1`, `PutInsightSelectors ${DEV} us-east-1`]);
    expect(first.results.filter((r) => r.accountId === DEV).map((r) => r.coverage?.status)).toEqual(['pending-first-delivery', 'pending-first-delivery']);
    const before = sim.calls.length;
    await sweep();
    expect(cloudTrailWrites(before)).toEqual([]);
  });
});

describe('a deleted destination the product created', () => {
  it('is replaced at once by the event-driven repair: a new destination, and the source delivering to it', async () => {
    sim = await startSim({ world: lakeWorld() });
    const events: EventBridgeEvent[] = [];
    sim.onEvent((e) => events.push(e));
    const run = deps({ scope: 'perRegion' });
    const ledger = new InMemoryLedger();
    // A sweep made the destination and recorded the source's clock (with its destination) in the ledger.
    const swept = await remediate([{ kind: 'accountRegion', accountId: DEV, region: 'us-east-1' }], run);
    for (const u of swept.results.flatMap((r) => r.clockUpdates)) await updateRecord(ledger, { arn: u.arn, kind: u.kind, accountId: DEV, region: 'us-east-1' }, (r) => ({ ...r, clock: u.facts }));
    const created = (await destinationOf('us-east-1'))!;
    events.length = 0;

    const admin = new ct.CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIADEVADMIN', secretAccessKey: 'x' }, maxAttempts: 1 });
    await admin.send(new ct.DeleteEventDataStoreCommand({ EventDataStore: created }));
    const deletion = events.find((e) => e.detail.eventName === 'DeleteEventDataStore')!;
    const out = await handleEvent(deletion, { ...run, ledger, ownRoles: { functionRoleNames: [], memberRoleName: ROLE } });

    expect(out.reason).toMatch(/it was the Insights destination of arn:aws:cloudtrail:us-east-1:333333333333:eventdatastore\/dev-lake-us-east-1/);
    expect(out.writes).toBe(2);
    const replacement = await destinationOf('us-east-1');
    expect(replacement).not.toBe(created);
    // The deleted store keeps its name for its 7 days pending deletion: the new one takes the next free name.
    expect((await cloudtrail(sim, DEV).send(new ct.GetEventDataStoreCommand({ EventDataStore: replacement! }))).Name).toBe('insights-destination-2');
    expect((await ledger.get(devLake('us-east-1')))?.clock?.destination).toBe(replacement);
  });
});
