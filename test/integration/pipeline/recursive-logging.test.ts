// The product leaves a trail's RecursiveLogging as it found it (com.amazonaws.cloudtrail#Trail$RecursiveLogging): it
// repairs trails only with PutEventSelectors and PutInsightSelectors (lib/aws/apply.ts), never by writing the trail's
// configuration back with CreateTrail or UpdateTrail, so a setting its model of a trail does not carry cannot be reset.
import { DescribeTrailsCommand, GetInsightSelectorsCommand, GetTrailCommand } from '@aws-sdk/client-cloudtrail';
import { AwsClients } from '../../../lib/aws/clients';
import { remediate, type Target } from '../../../lib/pipeline/remediate';
import type { Simulator } from '../../../sim/server';
import { aPolicy } from '../../helpers/builders';
import { cloudtrail, DEV, MGMT, PROD, ROLE, startSim, testWorld, trailArn } from '../../helpers/sim';

let sim: Simulator;
afterAll(() => sim.stop());

// audit needs Insights turned on, dev-trail its selectors widened first, org-trail a second Insights type.
const SETTINGS: Record<string, boolean> = { audit: false, 'dev-trail': false, 'org-trail': true };
const TRAILS = [
  { account: PROD, name: 'audit', arn: trailArn('audit') },
  { account: DEV, name: 'dev-trail', arn: trailArn('dev-trail', DEV) },
  { account: MGMT, name: 'org-trail', arn: trailArn('org-trail', MGMT) },
];

beforeAll(async () => {
  const world = testWorld();
  sim = await startSim({ world: { ...world, trails: world.trails!.map((t) => (t.name in SETTINGS ? { ...t, recursiveLogging: SETTINGS[t.name] } : t)) } });
});

describe('RecursiveLogging through a repair', () => {
  it('stays as it was on every trail the product repairs, and the product never writes a trail configuration', async () => {
    const targets: Target[] = [MGMT, PROD, DEV].map((accountId) => ({ kind: 'accountRegion', accountId, region: 'us-east-1' }));
    const aws = new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, maxAttempts: 6, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
    const out = await remediate(targets, { policy: aPolicy({ mode: 'enforce' }), aws, managementAccountId: MGMT, now: () => sim.clock.now() });

    const applied = out.results.flatMap((r) => r.outcomes).filter((o) => o.status === 'applied');
    for (const t of TRAILS) expect(applied.filter((o) => o.action.sourceArn === t.arn).map((o) => o.action.operation)).toContain('PutInsightSelectors');
    expect(sim.calls.filter((c) => /^(Create|Update|Delete)Trail$/.test(c.operation))).toEqual([]);

    for (const t of TRAILS) {
      const ct = cloudtrail(sim, t.account);
      expect((await ct.send(new GetInsightSelectorsCommand({ TrailName: t.name }))).InsightSelectors?.map((s) => s.InsightType)).toEqual(['ApiCallRateInsight', 'ApiErrorRateInsight']);
      expect((await ct.send(new GetTrailCommand({ Name: t.name }))).Trail?.RecursiveLogging).toBe(SETTINGS[t.name]);
      expect((await ct.send(new DescribeTrailsCommand({ trailNameList: [t.arn] }))).trailList?.[0]?.RecursiveLogging).toBe(SETTINGS[t.name]);
    }
  });
});
