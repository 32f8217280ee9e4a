// remediate() end to end: real SDK clients (lib/aws) against the simulator, assumed roles into member accounts.
import { CloudTrailClient, GetEventSelectorsCommand, GetInsightSelectorsCommand, GetTrailStatusCommand, GetEventDataStoreCommand } from '@aws-sdk/client-cloudtrail';
import { AwsClients } from '../../../lib/aws/clients';
import { remediate, type AccountRegionResult, type RemediateDeps, type Target } from '../../../lib/pipeline/remediate';
import type { Simulator } from '../../../sim/server';
import { aPolicy } from '../../helpers/builders';
import { cloudtrail, DEV, INSIGHT_SELECTOR, MGMT, PROD, ROLE, startSim, storeArn, testWorld, trailArn } from '../../helpers/sim';

let sim: Simulator;

function deps(over: Partial<RemediateDeps> & { policyOverrides?: Record<string, unknown> } = {}): RemediateDeps {
  const { policyOverrides, ...rest } = over;
  return {
    policy: aPolicy({ mode: 'enforce', ...policyOverrides }),
    aws: new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, maxAttempts: 6, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } }),
    managementAccountId: MGMT,
    now: () => sim.clock.now(),
    ...rest,
  };
}
const everywhere: Target[] = [MGMT, PROD, DEV].flatMap((accountId) => ['us-east-1', 'eu-west-1'].map((region) => ({ kind: 'accountRegion' as const, accountId, region })));
const resultFor = (results: AccountRegionResult[], accountId: string, region = 'us-east-1') => results.find((r) => r.accountId === accountId && r.region === region)!;
const decisionFor = (r: AccountRegionResult, arn: string) => r.decisions.find((d) => d.source.arn === arn)!;
const operationsFor = (r: AccountRegionResult, arn: string) => r.outcomes.filter((o) => o.action.sourceArn === arn).map((o) => `${o.action.operation}:${o.status}`);
const insightTypes = async (client: CloudTrailClient, target: { TrailName?: string; EventDataStore?: string }) => (await client.send(new GetInsightSelectorsCommand(target))).InsightSelectors?.map((s) => s.InsightType);

describe('remediate over the test organization', () => {
  let results: AccountRegionResult[];
  beforeAll(async () => {
    sim = await startSim();
    results = (await remediate(everywhere, deps())).results;
  });
  afterAll(() => sim.stop());

  it('turns Insights on for a trail with Insights off, and reports the 36-hour window', async () => {
    const r = resultFor(results, PROD);
    expect(operationsFor(r, trailArn('audit'))).toEqual(['PutInsightSelectors:applied']);
    expect(await insightTypes(cloudtrail(sim, PROD), { TrailName: 'audit' })).toEqual(['ApiCallRateInsight', 'ApiErrorRateInsight']);
    const update = r.clockUpdates.find((u) => u.arn === trailArn('audit'))!;
    expect(Object.values(update.facts.channels).map((c) => c?.basis)).toEqual(['enabled', 'enabled']);
    expect(r.verified).toContainEqual(expect.objectContaining({ arn: trailArn('audit'), converged: true, remaining: [] }));
    // Read back, the window runs from the write itself.
    expect(r.verified.find((v) => v.arn === trailArn('audit'))?.clock).toMatchObject({ status: 'pending-first-delivery', windowStart: update.facts.channels['ApiCallRateInsight:Management']?.since });
  });

  it('adds ApiErrorRateInsight to the organization trail that had only ApiCallRateInsight, from the management account', async () => {
    expect(operationsFor(resultFor(results, MGMT), trailArn('org-trail', MGMT))).toEqual(['PutInsightSelectors:applied']);
    expect(await insightTypes(cloudtrail(sim, MGMT), { TrailName: 'org-trail' })).toEqual(['ApiCallRateInsight', 'ApiErrorRateInsight']);
  });

  it('never writes the organization trail from a member account: there it is a shadow copy', () => {
    for (const r of results.filter((x) => x.accountId !== MGMT)) {
      expect(r.outcomes.filter((o) => o.action.sourceArn === trailArn('org-trail', MGMT))).toEqual([]);
      expect(r.shadows.map((s) => s.arn)).toContain(trailArn('org-trail', MGMT));
    }
  });

  it('widens a read-only trail\'s selectors keeping its data events, then turns Insights on', async () => {
    const r = resultFor(results, DEV);
    expect(operationsFor(r, trailArn('dev-trail', DEV))).toEqual(['PutEventSelectors:applied', 'PutInsightSelectors:applied']);
    const selectors = (await cloudtrail(sim, DEV).send(new GetEventSelectorsCommand({ TrailName: 'dev-trail' }))).EventSelectors;
    expect(selectors).toEqual([
      { ReadWriteType: 'ReadOnly', IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::dev/'] }], ExcludeManagementEventSources: [] },
      { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
    ]);
  });

  it('reports a trail whose bucket rejects CloudTrail as not remediable once PutInsightSelectors says so, with what to fix', () => {
    const r = resultFor(results, DEV, 'eu-west-1');
    const d = decisionFor(r, trailArn('broken-bucket', DEV, 'eu-west-1'));
    expect(operationsFor(r, trailArn('broken-bucket', DEV, 'eu-west-1'))).toEqual(['PutInsightSelectors:failed']);
    expect(d.finding.status).toBe('not-remediable');
    expect(d.finding.blockers).toMatchObject([{ code: 'deliveryRefused', remedy: expect.stringMatching(/bucket policy/) }]);
    expect(d.finding.warnings).toEqual([expect.stringMatching(/LatestDeliveryError/)]);
  });

  it('starts a stopped store\'s ingestion and turns its Insights on to the account\'s Insights store', async () => {
    const r = resultFor(results, PROD);
    expect(operationsFor(r, storeArn('prod-stopped-store'))).toEqual(['StartEventDataStoreIngestion:applied', 'PutInsightSelectors:applied']);
    expect((await cloudtrail(sim, PROD).send(new GetEventDataStoreCommand({ EventDataStore: 'prod-stopped-store' }))).Status).toBe('ENABLED');
    expect((await cloudtrail(sim, PROD).send(new GetInsightSelectorsCommand({ EventDataStore: 'prod-stopped-store' }))).InsightsDestination).toBe(storeArn('prod-insights-store'));
  });

  it('widens a read-only store with UpdateEventDataStore before its Insights', () => {
    expect(operationsFor(resultFor(results, PROD), storeArn('prod-readonly-store'))).toEqual(['UpdateEventDataStore:applied', 'PutInsightSelectors:applied']);
  });

  it('enables Insights on the organization store from the management account only', () => {
    expect(operationsFor(resultFor(results, MGMT), storeArn('org-store-0001', MGMT))).toEqual(['PutInsightSelectors:applied']);
    // Members cannot see it (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-lake-organizations.html).
    expect(resultFor(results, PROD).shadows.map((s) => s.arn)).not.toContain(storeArn('org-store-0001', MGMT));
  });

  it('reports a store with no Insights destination in its account as not remediable', async () => {
    await sim.stop();
    sim = await startSim({ world: { ...(await import('../../helpers/sim')).testWorld(), eventDataStores: [{ account: DEV, region: 'us-east-1', id: 'dev-lake-store', name: 'dev-lake' }, { account: DEV, region: 'us-east-1', id: 'dev-data-store', name: 'dev-data-ish', advancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] }] } });
    const r = resultFor((await remediate([{ kind: 'accountRegion', accountId: DEV, region: 'us-east-1' }], deps())).results, DEV);
    const d = decisionFor(r, storeArn('dev-lake-store', DEV));
    expect(d.finding.status).toBe('not-remediable');
    expect(d.finding.blockers.map((b) => b.code)).toEqual(['destinationMissing']);
    expect(r.outcomes.filter((o) => o.action.sourceArn === storeArn('dev-lake-store', DEV))).toEqual([]);
  });

  it('leaves every written source converged', () => {
    const verified = results.flatMap((r) => r.verified);
    expect(verified.length).toBeGreaterThan(5);
    expect(verified.filter((v) => !v.converged)).toEqual([]);
  });
});

describe('modes, caps and failures', () => {
  afterEach(() => sim.stop());
  it('report mode makes no write and returns the exact calls it would make', async () => {
    sim = await startSim();
    const before = sim.callCounts();
    const out = await remediate(everywhere, deps({ policyOverrides: { mode: 'report' } }));
    const writes = sim.calls.slice(before.total).filter((c) => !/^(Get|List|Describe|AssumeRole|GetCallerIdentity)/.test(c.operation));
    expect(writes).toEqual([]);
    const planned = out.results.flatMap((r) => r.outcomes);
    expect(planned.every((o) => o.status === 'planned')).toBe(true);
    expect(planned.find((o) => o.action.sourceArn === trailArn('audit'))?.action).toMatchObject({
      operation: 'PutInsightSelectors',
      accountId: PROD,
      region: 'us-east-1',
      input: { TrailName: trailArn('audit'), InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiErrorRateInsight' }] },
    });
    expect(out.writesApplied).toBe(0);
  });

  it('stops writing at the cap, without half-repairing any source', async () => {
    sim = await startSim();
    const out = await remediate(everywhere, deps({ policyOverrides: { limits: { maxWritesPerSweep: 3 } }, concurrency: 1 }));
    expect(out.writesApplied).toBeLessThanOrEqual(3);
    const bySource = new Map<string, string[]>();
    for (const o of out.results.flatMap((r) => r.outcomes)) bySource.set(o.action.sourceArn, [...(bySource.get(o.action.sourceArn) ?? []), o.status]);
    for (const statuses of bySource.values()) expect(new Set(statuses).size).toBe(1); // all applied or all skipped
    expect(out.results.flatMap((r) => r.outcomes).filter((o) => o.status === 'skipped')[0]).toMatchObject({ reason: expect.stringMatching(/^write cap reached/) });
  });

  it('reports an account whose role is denied as unreachable while the others complete', async () => {
    sim = await startSim();
    sim.faults.add({ effect: 'accessDenied', account: DEV });
    const out = await remediate(everywhere, deps());
    for (const r of out.results.filter((x) => x.accountId === DEV)) expect([r.status, r.error?.name]).toEqual(['unreachable', 'AccessDenied']);
    expect(resultFor(out.results, PROD).status).toBe('done');
    expect(operationsFor(resultFor(out.results, PROD), trailArn('audit'))).toEqual(['PutInsightSelectors:applied']);
  });

  it('completes every target with 30% of calls throttled, losing nothing', async () => {
    sim = await startSim();
    sim.faults.add({ effect: 'throttle', service: 'cloudtrail', rate: 0.3 });
    const clean = await startSim();
    const reference = await remediate(everywhere, { ...deps(), aws: new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: clean.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' } }) });
    await clean.stop();
    const out = await remediate(everywhere, deps({ aws: new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, maxAttempts: 10 }) }));
    expect(sim.callCounts().errors.ThrottlingException).toBeGreaterThan(10);
    expect(out.results.map((r) => r.status)).toEqual(out.results.map(() => 'done'));
    const summary = (rs: AccountRegionResult[]) => rs.flatMap((r) => r.outcomes.map((o) => `${o.action.sourceArn} ${o.action.operation} ${o.status}`)).sort();
    expect(summary(out.results)).toEqual(summary(reference.results));
    expect(out.results.flatMap((r) => r.verified).every((v) => v.converged)).toBe(true);
  }, 120_000);
});

describe('API calls', () => {
  afterEach(() => sim.stop());
  it('a compliant account-region costs 2 + 2t + t_c + s + s_m calls, each fact read once', async () => {
    sim = await startSim();
    await remediate(everywhere, deps());
    // Now compliant where remediable: count the calls of a second run for PROD us-east-1.
    const start = sim.calls.length;
    const out = await remediate([{ kind: 'accountRegion', accountId: PROD, region: 'us-east-1' }], deps());
    expect(out.results[0]!.outcomes).toEqual([]);
    const calls = sim.calls.slice(start).filter((c) => c.service === 'cloudtrail');
    const count = (op: string) => calls.filter((c) => c.operation === op).length;
    // PROD us-east-1: t = 1 home trail (audit, default selectors: t_c = 0); s = 4 stores (mgmt, insights, readonly,
    // stopped; a member does not see the organization store); s_m = 3 management sources of PROD's own.
    expect({ DescribeTrails: count('DescribeTrails'), GetTrailStatus: count('GetTrailStatus'), GetEventSelectors: count('GetEventSelectors'), ListEventDataStores: count('ListEventDataStores'), GetEventDataStore: count('GetEventDataStore'), GetInsightSelectors: count('GetInsightSelectors') }).toEqual({
      DescribeTrails: 1,
      GetTrailStatus: 1,
      GetEventSelectors: 0,
      ListEventDataStores: 1,
      GetEventDataStore: 4,
      GetInsightSelectors: 1 + 3,
    });
    expect(calls).toHaveLength(2 + 2 * 1 + 0 + 4 + 3);
    expect((await cloudtrail(sim, PROD).send(new GetTrailStatusCommand({ Name: 'audit' }))).IsLogging).toBe(true);
  });
});

describe('remediate: the clock of a write', () => {
  afterAll(() => sim.stop());

  it('dates each window from the moment CloudTrail accepted its write, not from the start of the run', async () => {
    sim = await startSim();
    // A clock that moves a second per reading: the run starts, reads and decides long before it writes.
    let t = Date.parse('2026-12-01T00:00:00.000Z');
    const runStart = new Date(t + 1000).toISOString();
    const { results } = await remediate([{ kind: 'source', accountId: PROD, region: 'us-east-1', arn: trailArn('audit') }], deps({ now: () => new Date((t += 1000)) }));
    const r = resultFor(results, PROD);
    const applied = r.outcomes.find((o) => o.status === 'applied' && o.action.sourceArn === trailArn('audit'));
    const since = r.clockUpdates.find((u) => u.arn === trailArn('audit'))!.facts.channels['ApiCallRateInsight:Management']?.since;
    expect(applied && 'at' in applied && applied.at).toBe(since);
    expect(since! > runStart).toBe(true);
  });
});

describe('remediate: an Insights destination in another region', () => {
  afterEach(() => sim.stop());
  const BOTH = [{ InsightType: 'ApiCallRateInsight' as const }, { InsightType: 'ApiErrorRateInsight' as const }];
  const world = (destination: string) =>
    testWorld({
      eventDataStores: [
        { account: PROD, region: 'eu-west-1', id: 'eu-insights', name: 'eu-insights', advancedEventSelectors: [INSIGHT_SELECTOR] },
        { account: PROD, region: 'us-east-1', id: 'us-source', name: 'us-source', insightSelectors: BOTH, insightsDestination: destination },
      ],
    });

  it('keeps a valid destination of the same account homed in another region: one GetEventDataStore there, no write', async () => {
    sim = await startSim({ world: world(storeArn('eu-insights', PROD, 'eu-west-1')) });
    const { results } = await remediate([{ kind: 'accountRegion', accountId: PROD, region: 'us-east-1' }], deps());
    const r = resultFor(results, PROD);
    expect(decisionFor(r, storeArn('us-source')).finding.status).not.toBe('drifted');
    expect(operationsFor(r, storeArn('us-source'))).toEqual([]);
    expect(sim.calls.filter((c) => c.operation === 'GetEventDataStore' && c.region === 'eu-west-1')).toHaveLength(1);
  });

  it('still calls a destination that does not exist there invalid, and moves Insights to a valid store', async () => {
    sim = await startSim({ world: world(storeArn('gone-store', PROD, 'eu-west-1')) });
    const { results } = await remediate([{ kind: 'accountRegion', accountId: PROD, region: 'us-east-1' }], deps());
    expect(decisionFor(resultFor(results, PROD), storeArn('us-source')).finding.reasons.map((x) => x.code)).toContain('destinationInvalid');
  });

  it('never moves a destination it could not read', async () => {
    sim = await startSim({ world: world(storeArn('eu-insights', PROD, 'eu-west-1')) });
    sim.faults.add({ effect: 'accessDenied', service: 'cloudtrail', operation: 'GetEventDataStore', account: PROD, region: 'eu-west-1' });
    const { results } = await remediate([{ kind: 'accountRegion', accountId: PROD, region: 'us-east-1' }], deps());
    const r = resultFor(results, PROD);
    expect(decisionFor(r, storeArn('us-source')).actions).toEqual([]);
    expect(operationsFor(r, storeArn('us-source'))).toEqual([]);
  });
});
