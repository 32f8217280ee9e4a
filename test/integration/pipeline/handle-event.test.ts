// Event-driven repair end to end: users drift the simulator, its EventBridge stream feeds handleEvent, the handler's
// own writes come back as events.
import * as ct from '@aws-sdk/client-cloudtrail';
import fc from 'fast-check';
import { AwsClients } from '../../../lib/aws/clients';
import { decide } from '../../../lib/domain/decide';
import { InMemoryLedger, updateRecord } from '../../../lib/ledger/ledger';
import { handleEvent, retryReason, type BreakerNotification, type EventHandlerDeps } from '../../../lib/pipeline/handle-event';
import { organizationsClient, ouPathLookup } from '../../../lib/aws/organization';
import { readAccountRegion } from '../../../lib/aws/read';
import type { EventBridgeEvent } from '../../../sim/records';
import type { Simulator } from '../../../sim/server';
import { aPolicy } from '../../helpers/builders';
import { DEV, MGMT, PROD, ROLE, startSim, sts, testWorld, trailArn } from '../../helpers/sim';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';

let sim: Simulator;
let events: EventBridgeEvent[];
let notifications: BreakerNotification[];
afterEach(() => sim.stop());

async function setup(breaker = { maxRepairs: 1000, windowMinutes: 60 }, world = testWorld()): Promise<EventHandlerDeps> {
  sim = await startSim({ world });
  events = [];
  notifications = [];
  sim.onEvent((e) => events.push(e));
  return {
    policy: aPolicy({ mode: 'enforce', limits: { breaker } }),
    aws: new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } }),
    managementAccountId: MGMT,
    ledger: new InMemoryLedger(),
    now: () => sim.clock.now(),
    ownRoles: { functionRoleNames: [], memberRoleName: ROLE },
    notify: async (n) => void notifications.push(n),
  };
}

const alice = () => new ct.CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAALICE', secretAccessKey: 'x' }, maxAttempts: 1 });
const writesSoFar = () => sim.calls.filter((c) => c.service === 'cloudtrail' && !/^(Get|List|Describe|Lookup)/.test(c.operation) && c.status === 200);

/** Feeds every pending event to the handler until the stream is quiet; returns the writes the handler made. */
async function drain(deps: EventHandlerDeps): Promise<{ writes: number; ownEvents: number; ownEventWrites: number }> {
  let writes = 0;
  let ownEvents = 0;
  let ownEventWrites = 0;
  while (events.length) {
    const e = events.shift()!;
    const out = await handleEvent(e, deps);
    writes += out.writes;
    if (/the product's own write/.test(out.reason)) {
      ownEvents++;
      ownEventWrites += out.writes;
    }
  }
  return { writes, ownEvents, ownEventWrites };
}

async function prodSourcesHaveNothingToDo(deps: EventHandlerDeps): Promise<string[]> {
  const read = await readAccountRegion(deps.aws.cloudTrail(PROD, 'us-east-1'), deps.policy, { accountId: PROD, region: 'us-east-1' });
  const context = { managementAccountId: MGMT, eventDataStoresInAccount: read.eventDataStores };
  return read.sources.filter((s) => decide({ policy: deps.policy, source: s, context, now: deps.now() }).actions.length > 0).map((s) => s.arn);
}

const DRIFTS: ((c: ct.CloudTrailClient) => Promise<unknown>)[] = [
  (c) => c.send(new ct.StopLoggingCommand({ Name: 'audit' })),
  (c) => c.send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] })),
  (c) => c.send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] })),
  (c) => c.send(new ct.PutEventSelectorsCommand({ TrailName: 'audit', EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: [] }] }] })),
  (c) => c.send(new ct.StopEventDataStoreIngestionCommand({ EventDataStore: 'prod-mgmt-store' })),
  (c) => c.send(new ct.PutInsightSelectorsCommand({ EventDataStore: 'prod-mgmt-store', InsightSelectors: [] })),
  (c) => c.send(new ct.PutInsightSelectorsCommand({ EventDataStore: 'prod-readonly-store', InsightSelectors: [] })).catch(() => undefined),
];

describe('handleEvent over the simulator\'s event stream', () => {
  it('repairs every drift a user causes, and its own writes fed back cause no further write (50 rounds)', async () => {
    const deps = await setup();
    // Round 0: bring the account-region to compliance through the pipeline's first events.
    await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
    await drain(deps);
    for (const s of ['prod-mgmt-store', 'prod-readonly-store', 'prod-stopped-store']) {
      await handleEvent({ 'detail-type': 'AWS API Call via CloudTrail', detail: { eventSource: 'cloudtrail.amazonaws.com', eventName: 'UpdateEventDataStore', recipientAccountId: PROD, awsRegion: 'us-east-1', requestParameters: { eventDataStore: s } } }, deps);
      await drain(deps);
    }
    expect(await prodSourcesHaveNothingToDo(deps)).toEqual([]);
    let ownEvents = 0;
    for (let round = 1; round <= 50; round++) {
      const drift = DRIFTS[(round * 7) % DRIFTS.length]!;
      await drift(alice());
      const r = await drain(deps);
      ownEvents += r.ownEvents;
      expect(r.ownEventWrites).toBe(0);
      expect(await prodSourcesHaveNothingToDo(deps)).toEqual([]);
    }
    expect(ownEvents).toBeGreaterThan(40);
  }, 120_000);

  it('makes exactly one write per needed change when each event arrives 3 times, some at once', async () => {
    const deps = await setup();
    await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    await alice().send(new ct.StopEventDataStoreIngestionCommand({ EventDataStore: 'prod-stopped-store' })).catch(() => undefined);
    await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
    const drifts = events.splice(0);
    const before = writesSoFar().length;
    for (const e of drifts) {
      await Promise.all([handleEvent(e, deps), handleEvent(structuredClone(e), deps)]);
      await handleEvent(structuredClone(e), deps);
    }
    const mine = writesSoFar().slice(before).map((c) => c.operation).sort();
    // audit needs StartLogging and PutInsightSelectors; nothing is written twice.
    expect(mine).toEqual(['PutInsightSelectors', 'StartLogging']);
  });

  it('gives 1,000 malformed or unexpected events a reason, never throws, never writes', async () => {
    const deps = await setup();
    const sample = (await (async () => {
      await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
      return events.splice(0)[0]!;
    })()) as unknown as Record<string, unknown>;
    const before = writesSoFar().length;
    const broken = fc.oneof(
      fc.anything({ maxDepth: 3 }),
      fc.record({ 'detail-type': fc.constantFrom('AWS API Call via CloudTrail', 'Other'), detail: fc.dictionary(fc.constantFrom('eventName', 'eventSource', 'recipientAccountId', 'awsRegion', 'requestParameters', 'errorCode', 'readOnly'), fc.anything({ maxDepth: 2 })) }),
      fc.constantFrom('StopLogging', 'DeleteTrail', 'Nope', 'constructor', 'GetTrail').map((eventName) => ({ ...sample, detail: { ...(sample.detail as object), eventName, requestParameters: { name: 'nope-trail' }, errorCode: 'AccessDenied' } })),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(broken, async (e) => {
        const out = await handleEvent(e, deps);
        expect(out.reason.length).toBeGreaterThan(0);
        n++;
      }),
      { numRuns: 1000 },
    );
    expect(n).toBe(1000);
    expect(writesSoFar().slice(before)).toEqual([]);
  }, 60_000);

  it('stops repairing a trail an actor keeps reverting, and notifies once, naming the actor', async () => {
    const deps = await setup({ maxRepairs: 3, windowMinutes: 60 });
    let repairs = 0;
    for (let i = 0; i < 8; i++) {
      await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
      const r = await drain(deps);
      repairs += r.writes;
    }
    expect(repairs).toBe(3);
    expect(notifications).toEqual([{ kind: 'breakerOpen', arn: trailArn('audit'), actors: [`arn:aws:iam::${PROD}:user/alice`], until: expect.any(String), repairs: 3 }]);
    // After the window, repairs resume. (Fresh clients: the simulator's sessions expired with its clock, which the SDK,
    // on real time, cannot know.)
    sim.clock.advance(61 * 60_000);
    deps.aws = new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
    await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    expect((await drain(deps)).writes).toBe(1);
  }, 60_000);

  it('records a clock restart from a user\'s StartLogging even when nothing needs repair, and Insights deliveries', async () => {
    const deps = await setup();
    await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
    await drain(deps); // repaired: StartLogging by the product
    const record = await deps.ledger.get(trailArn('audit'));
    expect(record?.clock?.logging).toBe('on');
    expect(record?.lastDrift).toMatchObject({ eventName: 'StopLogging', actor: `arn:aws:iam::${PROD}:user/alice` });
    expect(record?.lastRepair?.operations).toContain('StartLogging');
    sim.clock.advance(5 * 60_000); // Insights arrive after they are enabled
    sim.injectInsightEvent({ account: PROD, region: 'us-east-1', insightType: 'ApiCallRateInsight' });
    await drain(deps);
    const after = await deps.ledger.get(trailArn('audit'));
    expect(Object.values(after!.clock!.channels).every((c) => c?.deliveredAt !== undefined)).toBe(true);
  });

  it("repairs a drift made with the product's member role by someone else (its trust policy edited), and records who did it", async () => {
    const deps = await setup(undefined, testWorld({ roles: [{ name: ROLE, accounts: 'all', trustedAccounts: [MGMT, PROD] }] }));
    // A member admin makes the member role trust them and turns Insights off with it: not a write the product recorded.
    const roleArn = `arn:aws:iam::${PROD}:role/${ROLE}`;
    const creds = (await sts(sim, PROD).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'insights-remediator' }))).Credentials!;
    const asRole = new ct.CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! }, maxAttempts: 1 });
    await asRole.send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] }));
    await asRole.send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    const outs = [];
    for (let e = events.shift(); e; e = events.shift()) outs.push(await handleEvent(e, deps));
    // Both of the attacker's calls are drift; the product's own repair, coming back, is known for its own.
    expect(outs.map((o) => /NOT a write the product recorded/.test(o.reason))).toEqual([true, true, false]);
    expect(outs[2]!.reason).toMatch(/the product's own write \(recorded in the ledger\)/);
    expect(outs.reduce((n, o) => n + o.writes, 0)).toBe(1);
    expect((await deps.ledger.get(trailArn('audit')))?.lastDrift).toMatchObject({ eventName: 'PutInsightSelectors', actor: expect.stringContaining(`assumed-role/${ROLE}/`) });
  });

  it('holds limits.maxEventWritesPerHour organization-wide: a repair past it is skipped with the reason', async () => {
    const deps = await setup();
    deps.policy = { ...deps.policy, limits: { ...deps.policy.limits, maxEventWritesPerHour: 2 } };
    await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
    await alice().send(new ct.StopEventDataStoreIngestionCommand({ EventDataStore: 'prod-stopped-store' })).catch(() => undefined);
    await alice().send(new ct.StopEventDataStoreIngestionCommand({ EventDataStore: 'prod-mgmt-store' }));
    const outs = [];
    for (let e = events.shift(); e; e = events.shift()) outs.push(await handleEvent(e, deps));
    const skipped = outs.flatMap((o) => o.result?.results.flatMap((r) => r.outcomes) ?? []).filter((o) => o.status === 'skipped');
    expect(outs.reduce((n, o) => n + o.writes, 0)).toBe(2);
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped[0]).toMatchObject({ reason: expect.stringMatching(/^write cap reached \(the per-event bound of 10 writes and limits.maxEventWritesPerHour\)/) });
  });

  it('judges events under a policy scoped by organizational unit with the account\'s OU path, read from the organization', async () => {
    const deps = await setup();
    deps.policy = aPolicy({ mode: 'enforce', scope: { organizationalUnits: { include: ['ou-ab12-prod0001'] } } });
    deps.ouPathOf = ouPathLookup(organizationsClient(new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' } })));
    await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
    const inOu = await handleEvent(events.shift()!, deps);
    expect(inOu.writes).toBeGreaterThan(0);
    // The management account is outside the OU: its organization trail is judged out of scope and left alone.
    events.length = 0;
    const admin = new ct.CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, maxAttempts: 1 });
    await admin.send(new ct.PutInsightSelectorsCommand({ TrailName: 'org-trail', InsightSelectors: [] }));
    const outside = await handleEvent(events.shift()!, deps);
    expect(outside.writes).toBe(0);
    expect(outside.result?.results.flatMap((r) => r.decisions).find((d) => d.source.name === 'org-trail')?.finding.summary).toMatch(/not in scope.accounts.include nor under an OU/);
  });

  it('coalesces nothing into a check whose read failed: the burst and the retry are still checked', async () => {
    const deps = await setup();
    for (let i = 0; i < 2; i++) await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
    sim.clock.advance(60_000);
    const [first, second] = [events.shift()!, events.shift()!];
    const remove = sim.faults.add({ effect: 'accessDenied', service: 'cloudtrail', operation: 'DescribeTrails', account: PROD });
    const failed = await handleEvent(first, deps);
    remove();
    expect(failed.result?.results.map((r) => r.status)).toEqual(['unreachable']);
    expect((await deps.ledger.get(trailArn('audit')))?.lastCheck).toBeUndefined();
    // The next event of the burst is checked, not coalesced into the check that read nothing, and repairs.
    const next = await handleEvent(second, deps);
    expect([next.coalesced ?? false, next.result?.results.flatMap((r) => r.outcomes).some((o) => o.action.operation === 'StartLogging' && o.status === 'applied')]).toEqual([false, true]);
  });

  it('checks a burst of calls on one source once: events for calls made before the last check began read nothing', async () => {
    const deps = await setup();
    for (let i = 0; i < 5; i++) await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
    sim.clock.advance(60_000); // EventBridge delivers them a minute later
    const reads = () => sim.calls.filter((c) => c.service === 'cloudtrail' && /^(Get|List|Describe)/.test(c.operation)).length;
    const outs = [];
    for (let i = 0; i < 5; i++) {
      const before = reads();
      outs.push({ out: await handleEvent(events.shift()!, deps), reads: reads() - before });
    }
    expect(outs[0]!.out.writes).toBeGreaterThan(0);
    expect(outs.slice(1).map((o) => o.out.writes)).toEqual([0, 0, 0, 0]);
    expect(outs.slice(1).every((o) => o.out.coalesced && o.reads === 0)).toBe(true);
    expect(outs[1]!.out.reason).toMatch(/coalesced: the source was checked at .*, after this call; nothing read again/);
    // Every caller is still recorded; a call after the check is checked.
    expect((await deps.ledger.get(trailArn('audit')))?.lastDrift?.actor).toBe(`arn:aws:iam::${PROD}:user/alice`);
    events.length = 0;
    sim.clock.advance(60_000);
    await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
    expect((await handleEvent(events.shift()!, deps)).writes).toBe(1);
  });

  it('records its writes before it makes them: after a crash between CloudTrail and the ledger, the write is still its own and the clock counts from it', async () => {
    const deps = await setup();
    await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    const drift = events.shift()!;
    // The invocation dies right after CloudTrail took the repair: the ledger write after it never happens.
    const crash = new Error('Lambda timed out');
    const dying = { ...deps, ledger: Object.assign(Object.create(deps.ledger), { put: async (r: never) => ((r as { intent?: unknown; lastRepair?: unknown }).lastRepair ? Promise.reject(crash) : deps.ledger.put(r)) }) };
    await expect(handleEvent(drift, dying)).rejects.toThrow('Lambda timed out');
    expect(writesSoFar().filter((c) => c.operation === 'PutInsightSelectors')).toHaveLength(2);
    const left = await deps.ledger.get(trailArn('audit'));
    expect(left?.intent?.writes).toEqual([expect.objectContaining({ operation: 'PutInsightSelectors' })]);
    // Alice's call turned the channels off; the repair's write-ahead turned them on from its own time.
    expect(left?.clock?.channels['ApiCallRateInsight:Management']).toEqual({ basis: 'enabled', since: expect.any(String) });
    expect(Date.parse(left!.clock!.channels['ApiCallRateInsight:Management']!.since!)).toBeGreaterThanOrEqual(Date.parse(drift.time));
    // The repair's own event comes back: recognised, nothing repeated, no false "someone used its role".
    const own = await handleEvent(events.shift()!, deps);
    expect(own.reason).toMatch(/the product's own write \(recorded in the ledger\)/);
    expect(own.writes).toBe(0);
    expect((await deps.ledger.get(trailArn('audit')))?.intent).toBeUndefined();
  });

  it('keeps an Insights delivery observed while a repair of the same source was in flight', async () => {
    const deps = await setup();
    // Audit's error-rate channel is turned off; its call-rate window (long open) is left alone by the repair.
    await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] }));
    const drift = events.shift()!;
    // While the repair of audit's selectors runs, an Insights event for audit is observed by another invocation.
    let injected = false;
    const racing = {
      ...deps,
      ledger: Object.assign(Object.create(deps.ledger), {
        put: async (r: Parameters<InMemoryLedger['put']>[0]) => {
          if (!injected && r.intent) {
            injected = true;
            const ok = await deps.ledger.put(r);
            await handleEvent(sim.injectInsightEvent({ account: PROD, region: 'us-east-1', insightType: 'ApiCallRateInsight' }), deps);
            return ok;
          }
          return deps.ledger.put(r);
        },
      }),
    };
    events.length = 0;
    const out = await handleEvent(drift, racing);
    expect(out.writes).toBe(1);
    expect(injected).toBe(true);
    expect((await deps.ledger.get(trailArn('audit')))?.clock?.channels['ApiCallRateInsight:Management']?.deliveredAt).toBeDefined();
  });

  it('marks an Insights delivery only on the trails of its account-region whose clock it moves', async () => {
    const deps = await setup();
    await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
    await alice().send(new ct.StopEventDataStoreIngestionCommand({ EventDataStore: 'prod-mgmt-store' }));
    await drain(deps);
    sim.clock.advance(60_000);
    const versions = async () => Object.fromEntries((await deps.ledger.sourcesIn(PROD, 'us-east-1')).map((r) => [r.kind, r.version]));
    const v0 = await versions();
    const first = await handleEvent(sim.injectInsightEvent({ account: PROD, region: 'us-east-1', insightType: 'ApiCallRateInsight' }), deps);
    expect(first.reason).toMatch(/1 source\(s\) marked delivering$/);
    const v1 = await versions();
    expect(v1).toEqual({ ...v0, trail: v0.trail! + 1 });
    events.length = 0;
    const again = await handleEvent(sim.injectInsightEvent({ account: PROD, region: 'us-east-1', insightType: 'ApiCallRateInsight' }), deps);
    expect(again.reason).toMatch(/0 source\(s\) marked delivering$/);
    expect(await versions()).toEqual(v1);
  });

  it('marks an Insights delivery on the multi-Region and organization trails homed elsewhere that analyze the account-region', async () => {
    const deps = await setup();
    const pending = { kind: 'trail' as const, logging: 'on' as const, channels: { 'ApiCallRateInsight:Management': { since: sim.clock.now().toISOString(), basis: 'enabled' as const } } };
    const seed = (arn: string, accountId: string, carrier: { organization: boolean; multiRegion: boolean }) =>
      updateRecord(deps.ledger, { arn, kind: 'trail', accountId, region: 'us-east-1' }, (r) => ({ ...r, clock: pending, carrier: { ...carrier, homeRegion: 'us-east-1', analyzing: true } }));
    await seed(trailArn('audit'), PROD, { organization: false, multiRegion: true });
    await seed(trailArn('org-trail', MGMT), MGMT, { organization: true, multiRegion: true });
    await seed(trailArn('single', PROD), PROD, { organization: false, multiRegion: false });
    await seed(trailArn('dev-only', DEV), DEV, { organization: false, multiRegion: true });
    sim.clock.advance(60_000);
    const out = await handleEvent(sim.injectInsightEvent({ account: PROD, region: 'eu-west-1', insightType: 'ApiCallRateInsight' }), deps);
    expect(out.reason).toMatch(/2 source\(s\) marked delivering$/);
    const delivered = async (arn: string) => (await deps.ledger.get(arn))?.clock?.channels['ApiCallRateInsight:Management']?.deliveredAt !== undefined;
    expect([await delivered(trailArn('audit')), await delivered(trailArn('org-trail', MGMT))]).toEqual([true, true]);
    // A single-Region trail homed elsewhere, and another account's trail, analyze nothing in PROD eu-west-1.
    expect([await delivered(trailArn('single', PROD)), await delivered(trailArn('dev-only', DEV))]).toEqual([false, false]);
  });

  it('under the coverage objective, still repairs a former carrier when the retry comes after a repair write failed', async () => {
    const deps = await setup();
    deps.policy = { ...deps.policy, objective: 'coverage' };
    await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    const drift = events.shift()!;
    const remove = sim.faults.add({ effect: 'serverError', service: 'cloudtrail', operation: 'PutInsightSelectors' });
    const first = await handleEvent(drift, deps);
    remove();
    expect(retryReason(first)).toMatch(/PutInsightSelectors/);
    const again = await handleEvent(structuredClone(drift), deps);
    expect(again.writes).toBe(1);
  });
});
