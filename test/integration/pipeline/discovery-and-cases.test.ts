// Organization discovery, and the pipeline cases the shared test organization does not hold.
import { GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { AwsClients } from '../../../lib/aws/clients';
import { discoverTargets, organizationsClient } from '../../../lib/aws/organization';
import { remediate, type RemediateDeps } from '../../../lib/pipeline/remediate';
import type { Simulator } from '../../../sim/server';
import { aPolicy } from '../../helpers/builders';
import { cloudtrail, DEV, INSIGHT_SELECTOR, MGMT, PROD, ROLE, startSim, storeArn, testWorld, trailArn } from '../../helpers/sim';

let sim: Simulator;
afterEach(() => sim.stop());
const aws = () => new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
const deps = (policy = aPolicy()): RemediateDeps => ({ policy, aws: aws(), managementAccountId: MGMT, now: () => sim.clock.now() });

describe('discoverTargets', () => {
  it('finds the management account, the ACTIVE accounts and the policy\'s regions, through empty first pages', async () => {
    sim = await startSim();
    const t = await discoverTargets(organizationsClient(aws()), aPolicy({ scope: { regions: { include: ['us-east-1', 'eu-west-1', 'ap-south-1'], exclude: ['ap-south-1'] } } }));
    expect(t.managementAccountId).toBe(MGMT);
    expect(t.accounts.map((a) => a.id)).toEqual([MGMT, PROD, DEV]);
    expect(t.skipped).toEqual([{ id: '444444444444', reason: 'account is SUSPENDED' }]);
    expect(t.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(t.accounts[0]!.ouPath).toBeUndefined(); // no OU rules: no OU calls
    expect(sim.callCounts((c) => c.operation === 'ListOrganizationalUnitsForParent').total).toBe(0);
  });

  it('reads OU paths, and the name of each account\'s OU for reports, only when the policy scopes by OU, and applies them', async () => {
    sim = await startSim();
    const t = await discoverTargets(organizationsClient(aws()), aPolicy({ scope: { regions: { include: ['us-east-1'] }, organizationalUnits: { include: ['ou-ab12-prod0001'] } } }));
    expect(t.accounts).toEqual([{ id: PROD, name: 'prod', ouPath: ['r-ab12', 'ou-ab12-prod0001'], ouName: 'Prod' }]);
    expect(t.skipped.map((s) => s.id).sort()).toEqual([MGMT, DEV, '444444444444'].sort());
  });
});

describe('remediate: more cases', () => {
  it('starts a stopped trail, and reports the restart of its 36-hour window', async () => {
    sim = await startSim({ world: testWorld({ trails: [{ account: DEV, name: 'stopped-trail', homeRegion: 'us-east-1', logging: false, insightSelectors: [{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiErrorRateInsight' }] }] }) });
    const out = await remediate([{ kind: 'accountRegion', accountId: DEV, region: 'us-east-1' }], deps());
    const r = out.results[0]!;
    expect(r.outcomes.map((o) => `${o.action.operation}:${o.status}`)).toEqual(['StartLogging:applied']);
    expect((await cloudtrail(sim, DEV).send(new GetTrailStatusCommand({ Name: 'stopped-trail' }))).IsLogging).toBe(true);
    const facts = r.clockUpdates.find((u) => u.arn === trailArn('stopped-trail', DEV))!.facts;
    expect(facts.logging).toBe('on');
    expect(Object.values(facts.channels).every((c) => c?.basis === 'restarted')).toBe(true);
  });

  it('reports a named destination that is not Insight-category as not remediable, with the reason', async () => {
    sim = await startSim({ world: testWorld({ trails: [], eventDataStores: [{ account: PROD, region: 'us-east-1', id: 'src-store', name: 'src' }, { account: PROD, region: 'us-east-1', id: 'plain-store', name: 'plain' }, { account: PROD, region: 'us-east-1', id: 'dest-store', name: 'dest', advancedEventSelectors: [INSIGHT_SELECTOR] }] }) });
    const policy = aPolicy({ eventDataStores: { destination: { strategy: 'named', stores: [{ account: PROD, region: 'us-east-1', eventDataStore: 'plain-store' }] } } });
    const r = (await remediate([{ kind: 'accountRegion', accountId: PROD, region: 'us-east-1' }], deps(policy))).results[0]!;
    const d = r.decisions.find((x) => x.source.arn === storeArn('src-store'))!;
    expect(d.finding.status).toBe('not-remediable');
    expect(d.finding.reasons.map((x) => x.message)).toContain(`the named destination ${storeArn('plain-store')} does not log eventCategory Insight, so it cannot receive Insights`);
    expect(r.outcomes).toEqual([]);
  });

  it('repairs a single source named by an event without reading the rest of the account-region in detail', async () => {
    sim = await startSim();
    const before = sim.calls.length;
    const out = await remediate([{ kind: 'source', accountId: PROD, region: 'us-east-1', arn: trailArn('audit') }], deps());
    expect(out.results[0]!.decisions.map((d) => d.source.arn)).toEqual([trailArn('audit')]);
    expect(out.results[0]!.outcomes.map((o) => o.status)).toEqual(['applied']);
    expect(sim.calls.slice(before).some((c) => c.operation === 'GetEventDataStore')).toBe(false);
  });
});
