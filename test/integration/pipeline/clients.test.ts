// The AWS clients against the simulator: assumed roles cached per account, and CloudTrail's TPS budget respected.
import { CloudTrailClient, PutInsightSelectorsCommand, ListTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { AwsClients } from '../../../lib/aws/clients';
import type { Simulator } from '../../../sim/server';
import { DEV, MGMT, PROD, ROLE, startSim } from '../../helpers/sim';

let sim: Simulator;
afterEach(() => sim.stop());

const clients = (over: Partial<ConstructorParameters<typeof AwsClients>[0]> = {}) =>
  new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, ...over });

describe('AwsClients', () => {
  it('uses the management account\'s own credentials there, and one assumed-role session per member account across regions', async () => {
    sim = await startSim();
    const aws = clients();
    for (const region of ['us-east-1', 'eu-west-1', 'ap-south-1']) {
      for (const account of [MGMT, PROD, DEV]) await aws.cloudTrail(account, region).send(new ListTrailsCommand({}));
    }
    expect(aws.cloudTrail(PROD, 'us-east-1')).toBe(aws.cloudTrail(PROD, 'us-east-1'));
    expect(sim.callCounts((c) => c.operation === 'AssumeRole').total).toBe(2);
    const listed = sim.calls.filter((c) => c.operation === 'ListTrails');
    expect(new Set(listed.map((c) => c.account))).toEqual(new Set([MGMT, PROD, DEV]));
  });

  it('paces writes under the 1-per-second budget the simulator enforces, so none is throttled even without retries', async () => {
    sim = await startSim({ throttling: { enabled: true } });
    const aws = clients({ maxAttempts: 1 });
    const t0 = performance.now();
    for (let i = 0; i < 4; i++) await aws.cloudTrail(PROD, 'us-east-1').send(new PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(3 * 1000);
    expect(sim.callCounts().errors).toEqual({});
  }, 30_000);

  it('retries a write someone else\'s call of the same API throttled in the next second, not into the same one', async () => {
    sim = await startSim({ throttling: { enabled: true } });
    // A user's call of the same API, a moment ago, that the product has not heard of (its event not yet delivered).
    await new CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: PROD, secretAccessKey: 'x' }, maxAttempts: 1 }).send(new PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    const aws = clients({ maxAttempts: 1 }); // no SDK retry: the one retry is the pacing's, in the next second
    const t0 = performance.now();
    await aws.cloudTrail(PROD, 'us-east-1').send(new PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(900);
    const puts = sim.calls.filter((c) => c.operation === 'PutInsightSelectors').map((c) => c.error ?? c.status);
    expect(puts).toEqual([200, 'ThrottlingException', 200]); // the user's, the product's throttled one, its one retry
  });

  it('denied roles surface as AccessDenied from the credential provider', async () => {
    sim = await startSim();
    sim.faults.add({ effect: 'accessDenied', account: DEV });
    await expect(clients().cloudTrail(DEV, 'us-east-1').send(new ListTrailsCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('keeps only the most recently used CloudTrail clients, and an account-region\'s budget outlives its client', async () => {
    sim = await startSim({ throttling: { enabled: true } });
    const aws = clients({ maxAttempts: 1, maxCachedClients: 2 });
    const first = aws.cloudTrail(PROD, 'us-east-1');
    aws.cloudTrail(PROD, 'eu-west-1');
    expect(aws.cloudTrail(PROD, 'us-east-1')).toBe(first); // used again: now the most recent
    aws.cloudTrail(DEV, 'us-east-1'); // drops PROD eu-west-1, the least recently used
    expect(aws.cloudTrail(PROD, 'us-east-1')).toBe(first);
    aws.cloudTrail(MGMT, 'us-east-1');
    aws.cloudTrail(DEV, 'eu-west-1'); // drops PROD us-east-1
    const t0 = performance.now();
    await first.send(new PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] }));
    const fresh = aws.cloudTrail(PROD, 'us-east-1');
    expect(fresh).not.toBe(first);
    await fresh.send(new PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1000); // the new client waited for the same write budget
    expect(sim.callCounts().errors).toEqual({});
  }, 30_000);
});
