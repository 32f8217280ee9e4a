// Faults and load on demand (issue 3, part 6), seen through the real SDK clients and their standard retry.
import { DescribeTrailsCommand, GetTrailStatusCommand, ListTrailsCommand, PutInsightSelectorsCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { Simulator } from '../../../sim/server';
import { cloudtrail, DEV, MGMT, organizations, PROD, rejection, ROLE, startSim, sts } from '../../helpers/sim';
import { signedFetch } from '../../helpers/signed-request';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSim({ seed: 7 });
});
afterEach(() => sim.stop());

describe('injected faults', () => {
  it('the SDK\'s standard retry recovers from ThrottlingException on 30% of calls', async () => {
    // Throttling backoff starts at 500 ms in the SDK's standard mode: give the 20 calls time.
    sim.faults.add({ effect: 'throttle', service: 'cloudtrail', rate: 0.3 });
    const ct = cloudtrail(sim, PROD, 'us-east-1', 6);
    for (let i = 0; i < 20; i++) expect((await ct.send(new DescribeTrailsCommand({}))).trailList?.length).toBe(2);
    const counts = sim.callCounts((c) => c.operation === 'DescribeTrails');
    expect(counts.errors.ThrottlingException).toBeGreaterThan(0);
    expect(counts.total).toBe(20 + counts.errors.ThrottlingException!);
  }, 60_000);

  it('throttles Organizations with TooManyRequestsException, which the SDK retries', async () => {
    sim.faults.add({ effect: 'throttle', service: 'organizations', times: 2 });
    const out = await organizations(sim, MGMT, 4).send(new ListAccountsCommand({ NextToken: undefined }));
    expect(out.Accounts).toEqual([]);
    expect(sim.callCounts().errors.TooManyRequestsException).toBe(2);
  });

  it('retries 5xx and dropped connections', async () => {
    sim.faults.add({ effect: 'serverError', operation: 'ListTrails', times: 1 });
    sim.faults.add({ effect: 'drop', operation: 'ListTrails', times: 1 });
    expect((await cloudtrail(sim, PROD, 'us-east-1', 4).send(new ListTrailsCommand({}))).Trails?.length).toBe(2);
    expect(sim.callCounts((c) => c.operation === 'ListTrails').errors).toEqual({ InternalFailure: 1, ConnectionDropped: 1 });
  });

  it('a 500 is a server fault to the SDK', async () => {
    sim.faults.add({ effect: 'serverError', service: 'cloudtrail' });
    const e = await rejection(cloudtrail(sim, PROD).send(new ListTrailsCommand({})));
    expect([e.name, e.$fault, e.$metadata?.httpStatusCode]).toEqual(['InternalFailure', 'server', 500]);
  });

  it('adds latency to matching calls only', async () => {
    sim.faults.add({ effect: 'latency', latencyMs: 150, account: DEV });
    const t0 = performance.now();
    await cloudtrail(sim, PROD).send(new ListTrailsCommand({}));
    const fast = performance.now() - t0;
    const t1 = performance.now();
    await cloudtrail(sim, DEV).send(new ListTrailsCommand({}));
    expect(performance.now() - t1).toBeGreaterThanOrEqual(140);
    expect(fast).toBeLessThan(140);
  });

  it('denies one account: AssumeRole into it fails and its own calls fail, the others go on', async () => {
    sim.faults.add({ effect: 'accessDenied', account: DEV });
    expect((await rejection(sts(sim, MGMT).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEV}:role/${ROLE}`, RoleSessionName: 'sweep' })))).name).toBe('AccessDenied');
    expect((await rejection(cloudtrail(sim, DEV).send(new ListTrailsCommand({})))).name).toBe('AccessDeniedException');
    expect((await sts(sim, MGMT).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${PROD}:role/${ROLE}`, RoleSessionName: 'sweep' }))).Credentials).toBeDefined();
  });

  it('stops a rule after its count, and removes a rule on request', async () => {
    const remove = sim.faults.add({ effect: 'serverError', operation: 'ListTrails' });
    sim.faults.add({ effect: 'throttle', operation: 'GetTrailStatus', times: 1 });
    expect((await rejection(cloudtrail(sim, PROD).send(new GetTrailStatusCommand({ Name: 'audit' })))).name).toBe('ThrottlingException');
    expect((await cloudtrail(sim, PROD).send(new GetTrailStatusCommand({ Name: 'audit' }))).IsLogging).toBe(true);
    remove();
    expect((await cloudtrail(sim, PROD).send(new ListTrailsCommand({}))).Trails).toBeDefined();
  });

  it('counts how often each effect was injected by the rules in place', async () => {
    sim.faults.add({ effect: 'throttle', operation: 'GetTrailStatus', times: 2 });
    sim.faults.add({ effect: 'serverError', operation: 'ListTrails', times: 1 });
    for (let i = 0; i < 2; i++) await rejection(cloudtrail(sim, PROD).send(new GetTrailStatusCommand({ Name: 'audit' })));
    await cloudtrail(sim, PROD).send(new GetTrailStatusCommand({ Name: 'audit' })); // the rule's two times are spent
    await rejection(cloudtrail(sim, PROD).send(new ListTrailsCommand({})));
    expect(sim.faults.injected()).toEqual({ throttle: 2, serverError: 1 });
  });
});

// "Quotas in AWS CloudTrail", https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html:
// per account, Region and API (one Service Quotas code per API: https://docs.aws.amazon.com/general/latest/gr/ct.html).
describe('TPS budgets (10 per read API, 1 per write API, per second per account and region)', () => {
  it('throttles a burst of writes above 1 per second, per account and region, and not reads below 10', async () => {
    await sim.stop();
    sim = await startSim({ throttling: { enabled: true } });
    const put = (account: string, region: string, TrailName: string) =>
      cloudtrail(sim, account, region).send(new PutInsightSelectorsCommand({ TrailName, InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] }));
    await put(PROD, 'us-east-1', 'audit');
    expect((await rejection(put(PROD, 'us-east-1', 'audit'))).name).toBe('ThrottlingException');
    await put(PROD, 'eu-west-1', 'regional'); // another region has its own budget
    const reads = await Promise.all(Array.from({ length: 10 }, () => cloudtrail(sim, DEV).send(new ListTrailsCommand({}))));
    expect(reads).toHaveLength(10);
    expect((await rejection(cloudtrail(sim, DEV).send(new ListTrailsCommand({})))).name).toBe('ThrottlingException');
  });

  it('gives each API its own budget: another write API in the same second is not throttled, nor another read API', async () => {
    await sim.stop();
    sim = await startSim({ throttling: { enabled: true } });
    const ct = cloudtrail(sim, PROD, 'us-east-1');
    await ct.send(new PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] }));
    await ct.send(new StartLoggingCommand({ Name: 'audit' }));
    expect((await rejection(ct.send(new StartLoggingCommand({ Name: 'audit' })))).name).toBe('ThrottlingException');
    await Promise.all(Array.from({ length: 10 }, () => ct.send(new ListTrailsCommand({}))));
    await ct.send(new DescribeTrailsCommand({}));
  });
});

describe('the call log', () => {
  it('counts calls per operation and per account-region', async () => {
    await cloudtrail(sim, PROD).send(new ListTrailsCommand({}));
    await cloudtrail(sim, PROD, 'eu-west-1').send(new ListTrailsCommand({}));
    await cloudtrail(sim, DEV).send(new DescribeTrailsCommand({}));
    const c = sim.callCounts();
    expect(c).toMatchObject({ total: 3, byOperation: { ListTrails: 2, DescribeTrails: 1 }, byAccountRegion: { [`${PROD}/us-east-1`]: 1, [`${PROD}/eu-west-1`]: 1, [`${DEV}/us-east-1`]: 1 } });
  });
});

describe('malformed requests never crash the server', () => {
  it('answers 1,000 random malformed requests with an AWS-style error and keeps serving', async () => {
    let seed = 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    const targets = ['CloudTrail_20131101.PutInsightSelectors', 'CloudTrail_20131101.GetTrail', 'CloudTrail_20131101.CreateEventDataStore', 'CloudTrail_20131101.PutEventSelectors', 'AWSOrganizationsV20161128.ListAccounts', 'CloudTrail_20131101.Nope', 'X.Y', ''];
    const values = [null, 1, -1, 1e309, 'x', '', [], {}, [1, 'a'], { a: { b: [] } }, true, 'arn:aws:cloudtrail:us-east-1:222222222222:trail/audit', 'A'.repeat(5000)];
    const keys = ['TrailName', 'Name', 'InsightSelectors', 'EventDataStore', 'EventSelectors', 'AdvancedEventSelectors', 'MaxResults', 'NextToken', 'InsightsDestination', '__proto__', 'constructor'];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const body =
        rand() < 0.15
          ? pick(['{', '[]', 'null', '"str"', '{"a":', '\u0000\u0001', '{}{}'])
          : JSON.stringify(Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [pick(keys), pick(values)])));
      const target = pick(targets);
      // Signed by the SDK's signer, so the junk reaches the body parser and the operations, not only the SigV4 check.
      const res = await signedFetch(sim.endpoint, { ...(target && { target }), body, accessKeyId: pick([PROD, MGMT, 'unknown']), service: target === '' ? 'sts' : target.startsWith('AWSOrganizations') ? 'organizations' : 'cloudtrail' });
      const text = res.body;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      // Without a target the request is an STS (awsQuery) one, whose errors are XML.
      if (res.status !== 200) expect(target === '' ? /<Code>([A-Za-z]+)<\/Code>/.exec(text)?.[1] : JSON.parse(text).__type).toMatch(/^[A-Za-z]+$/);
    }
    expect(statuses.get(500) ?? 0).toBe(0);
    expect((await cloudtrail(sim, PROD).send(new ListTrailsCommand({}))).Trails).toBeDefined();
  }, 60_000); // each request is signed (the simulator verifies SigV4): room for a loaded machine
});
