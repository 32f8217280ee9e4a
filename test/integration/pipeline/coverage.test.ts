// The coverage objective over the simulator, in one process (lib/sweep/organization-run.ts, as the CLI runs it): the
// exact writes each organization shape gets, under both objectives.
import { AwsClients } from '../../../lib/aws/clients';
import { costExplorerClient, lastMonthInsightsSpend } from '../../../lib/aws/cost-explorer';
import { discoverTargets, organizationsClient } from '../../../lib/aws/organization';
import { InMemoryLedger, updateRecord } from '../../../lib/ledger/ledger';
import type { Policy } from '../../../lib/policy/schema';
import { runOrganization, type OrganizationRun } from '../../../lib/sweep/organization-run';
import type { Simulator } from '../../../sim/server';
import type { WorldInput } from '../../../sim/world';
import { accountId, generateCarrierWorld } from '../../../bench/generate-world';
import { aPolicy } from '../../helpers/builders';
import { INSIGHT_SELECTOR, ROLE, startSim } from '../../helpers/sim';

const REGIONS = ['us-east-1', 'eu-west-1'];
const MGMT = accountId(0);
let sim: Simulator;
afterEach(() => sim?.stop());

const policyOf = (objective: 'coverage' | 'everySource', extra: Record<string, unknown> = {}) => aPolicy({ objective, scope: { regions: { include: REGIONS } }, ...extra });

async function run(world: WorldInput, policy: Policy, ledger = new InMemoryLedger(), options: { spend?: boolean } = {}): Promise<OrganizationRun> {
  sim ??= await startSim({ world });
  const aws = new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
  const targets = await discoverTargets(organizationsClient(aws), policy);
  const costs = costExplorerClient(aws.config);
  return runOrganization(targets, { policy, aws, managementAccountId: MGMT, now: () => sim.clock.now(), ledger, ...(options.spend && { spend: () => lastMonthInsightsSpend(costs, sim.clock.now(), { regions: REGIONS }) }) });
}

/** Last month's bill in the simulated Cost Explorer: Insights charges per account and region. */
function billed(world: WorldInput, items: { account: string; region: string; amount: number }[], now = new Date()): WorldInput {
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  const code: Record<string, string> = { 'us-east-1': 'USE1', 'eu-west-1': 'EU' };
  return { ...world, costs: { months: { [month]: items.map((i) => ({ ...i, usageType: `${code[i.region]}-InsightsEvents` })) } } } as WorldInput;
}

const writes = () => sim.calls.filter((c) => c.status === 200 && /^(Put|Start|Update|Stop)/.test(c.operation)).map((c) => `${c.operation} ${c.account}`);
const uncovered = (r: OrganizationRun) => r.results.filter((x) => x.coverage?.status === 'uncovered').map((x) => `${x.accountId}/${x.region}`);

describe('coverage: every account-region analyzed once, on the cheapest carrier', () => {
  beforeEach(() => (sim = undefined as unknown as Simulator));

  it('covers an organization trail and 20 account trails, Insights off everywhere, with one write; everySource needs 21', async () => {
    const world = generateCarrierWorld(21, REGIONS);
    const covered = await run(world, policyOf('coverage'));
    expect(writes()).toEqual([`PutInsightSelectors ${MGMT}`]);
    expect(covered.plan?.cost).toEqual({ writes: 1, sourcesNewlyBilled: 1, managementCopiesAdded: 0, clocksRestarted: 1 });
    expect(uncovered(covered)).toEqual([]);
    expect(covered.results.filter((r) => r.coverage).every((r) => r.coverage!.status === 'pending-first-delivery' && !r.coverage!.redundant)).toBe(true);
    // The account trails are left as they are: not needed, never billed.
    expect(covered.results.flatMap((r) => r.decisions).filter((d) => d.finding.status === 'not-needed')).toHaveLength(20);
    await sim.stop();

    sim = undefined as unknown as Simulator;
    const every = await run(generateCarrierWorld(21, REGIONS), policyOf('everySource'));
    expect(writes()).toHaveLength(21);
    // Every member account-region is now analyzed twice, each billed.
    expect(every.results.filter((r) => r.coverage?.redundant).length).toBe(20 * REGIONS.length);
  });

  it('counts a trail homed outside the policy\'s regions only when its home logs and analyzes management events (read once, by its owner)', async () => {
    const homedAway = (home: Record<string, unknown>) => {
      const w = generateCarrierWorld(3, REGIONS, { insights: 'on' });
      // The organization trail lives in ap-south-1, which the policy does not sweep; the account trails have no Insights.
      return { ...w, trails: (w.trails ?? []).map((t) => (t.name === 'org-trail' ? { ...t, homeRegion: 'ap-south-1', ...home } : { ...t, insightSelectors: [] })) } as WorldInput;
    };
    const ok = await run(homedAway({}), policyOf('coverage', { mode: 'report' }));
    expect(uncovered(ok)).toEqual([]);
    // Read by its owner, in one region (the first of the policy's), by ARN.
    expect(sim.calls.filter((c) => c.operation === 'GetTrailStatus' && c.region === 'eu-west-1' && c.account === MGMT)).toHaveLength(1);
    await sim.stop();
    sim = undefined as unknown as Simulator;
    // Stopped at home: HasInsightSelectors still says true on every copy, but nothing is analyzed.
    const stopped = await run(homedAway({ logging: false }), policyOf('coverage', { mode: 'report' }));
    expect(uncovered(stopped).sort()).toEqual(['000000000000', '000000000001', '000000000002'].flatMap((a) => REGIONS.map((r) => `${accountId(Number(a))}/${r}`)).sort());
    await sim.stop();
    sim = undefined as unknown as Simulator;
    // Insights on data events only: no management events analyzed.
    const dataOnly = await run(homedAway({ insightSelectors: [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Data'] }], eventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }] }] }), policyOf('coverage', { mode: 'report' }));
    expect(uncovered(dataOnly)).toHaveLength(3 * REGIONS.length);
  });

  it('sweeps under a policy scoped by organizational unit: the OU\'s accounts judged, the others out of scope', async () => {
    const r = await run(generateCarrierWorld(4, REGIONS), policyOf('coverage', { mode: 'report', scope: { regions: { include: REGIONS }, organizationalUnits: { include: ['ou-bench-members1'] } } }));
    // The management account, outside the OU, is surveyed for the organization's carriers but not judged.
    expect(r.results.filter((x) => x.coverage).map((x) => x.accountId).sort()).toEqual([1, 1, 2, 2, 3, 3].map((i) => accountId(i)));
    expect(r.results.every((x) => x.status === 'done')).toBe(true);
    expect(r.results.filter((x) => x.accountId === MGMT).flatMap((x) => x.decisions).every((d) => d.finding.status === 'out-of-scope')).toBe(true);
  });

  it('never gives a data-only trail management events under coverage: its account-region stays uncovered, with the remedy', async () => {
    const world: WorldInput = {
      ...generateCarrierWorld(2, REGIONS),
      trails: [
        {
          account: accountId(1),
          name: 'data-only',
          homeRegion: 'us-east-1',
          multiRegion: true,
          eventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::bucket/'] }] }],
        },
      ],
    };
    const r = await run(world, policyOf('coverage', { mode: 'enforce' }));
    expect(writes()).toEqual([]);
    const member = r.results.filter((x) => x.accountId === accountId(1));
    expect(member.map((x) => x.coverage?.status)).toEqual(['uncovered', 'uncovered']);
    expect(member[0]!.coverage!.remedy).toMatch(/^create a trail that logs management events/);
    expect(member.flatMap((x) => x.decisions).map((d) => d.finding.status)).toEqual(['out-of-scope']);
  });

  it('covers every member account-region from an organization event data store, read only in the management account', async () => {
    const world: WorldInput = {
      ...generateCarrierWorld(4, REGIONS),
      trails: [],
      eventDataStores: [
        { account: MGMT, region: 'us-east-1', id: 'org-store', name: 'org-store', organization: true, multiRegion: true },
        { account: MGMT, region: 'us-east-1', id: 'org-insights', name: 'org-insights', advancedEventSelectors: [INSIGHT_SELECTOR] },
      ],
    };
    const r = await run(world, policyOf('coverage'));
    expect(writes()).toEqual([`PutInsightSelectors ${MGMT}`]);
    expect(uncovered(r)).toEqual([]);
    expect(r.results.filter((x) => x.coverage).length).toBe(4 * REGIONS.length);
    const memberReads = sim.calls.filter((c) => c.account !== MGMT && c.service === 'cloudtrail' && JSON.stringify(c).includes('org-store'));
    expect(memberReads).toEqual([]);
  });

  it('names redundant sources; with redundant disable, turns off the non-preferred one only after the preferred carrier delivers, never the last', async () => {
    const world = generateCarrierWorld(3, REGIONS, { insights: 'on' });
    const ledger = new InMemoryLedger();
    const orgTrail = `arn:aws:cloudtrail:us-east-1:${MGMT}:trail/org-trail`;
    // The organization trail's Insights were enabled an hour ago: still inside its 36-hour window.
    const enabled = new Date(Date.now() - 3_600_000).toISOString();
    await updateRecord(ledger, { arn: orgTrail, kind: 'trail', accountId: MGMT, region: 'us-east-1' }, (x) => ({
      ...x,
      clock: { kind: 'trail', logging: 'on', channels: { 'ApiCallRateInsight:Management': { since: enabled, basis: 'enabled' }, 'ApiErrorRateInsight:Management': { since: enabled, basis: 'enabled' } } },
    }));
    const disable = policyOf('coverage', { coverage: { redundant: 'disable' } });
    const waiting = await run(world, disable, ledger);
    expect(waiting.plan?.redundantCarriers.sort()).toEqual([accountId(1), accountId(2)].map((a) => `arn:aws:cloudtrail:us-east-1:${a}:trail/account-trail`));
    expect(writes()).toEqual([]);

    // Delivered: the account trails go, the organization trail (the last carrier of every account-region) stays.
    await updateRecord(ledger, { arn: orgTrail, kind: 'trail', accountId: MGMT, region: 'us-east-1' }, (x) => ({ ...x, clock: { ...x.clock!, channels: { 'ApiCallRateInsight:Management': { since: enabled, basis: 'enabled', deliveredAt: new Date().toISOString() }, 'ApiErrorRateInsight:Management': { since: enabled, basis: 'enabled', deliveredAt: new Date().toISOString() } } } }));
    const done = await run(world, disable, ledger);
    expect(writes().sort()).toEqual([`PutInsightSelectors ${accountId(1)}`, `PutInsightSelectors ${accountId(2)}`]);
    expect(done.results.filter((r) => r.coverage).every((r) => r.coverage!.analyzedBy.length === 1 && r.coverage!.analyzedBy[0] === orgTrail)).toBe(true);
    expect(done.results.flatMap((r) => r.decisions).filter((d) => d.finding.summary.startsWith('Insights turned off: redundant'))).toHaveLength(2);
  });

  it('judges coverage after the repairs: an enforce sweep of a fully repairable organization leaves nothing uncovered on its first run', async () => {
    const r = await run(generateCarrierWorld(5, REGIONS), policyOf('coverage'));
    expect(uncovered(r)).toEqual([]);
    expect(r.results.filter((x) => x.coverage).map((x) => x.coverage!.status)).toEqual(Array(5 * REGIONS.length).fill('pending-first-delivery'));
  });

  it('in report mode plans the one write and makes none', async () => {
    const r = await run(generateCarrierWorld(5, REGIONS), policyOf('coverage', { mode: 'report' }));
    expect(writes()).toEqual([]);
    expect(r.results.flatMap((x) => x.outcomes).map((o) => `${o.status} ${o.action.operation} ${o.action.accountId}`)).toEqual([`planned PutInsightSelectors ${MGMT}`]);
    expect(uncovered(r)).toHaveLength(5 * REGIONS.length);
    expect(r.results.every((x) => x.coverage?.status !== 'uncovered' || x.coverage.carrier?.endsWith('trail/org-trail'))).toBe(true);
  });

  it("shows last month's measured Insights spend, and what is billed where the redundant carriers live, from one Cost Explorer request", async () => {
    const world = billed(generateCarrierWorld(3, REGIONS, { insights: 'on' }), [
      { account: MGMT, region: 'us-east-1', amount: 40 },
      { account: accountId(1), region: 'us-east-1', amount: 12.5 },
      { account: accountId(1), region: 'eu-west-1', amount: 2.5 },
      { account: accountId(2), region: 'us-east-1', amount: 5 },
    ]);
    const r = await run(world, policyOf('coverage'), new InMemoryLedger(), { spend: true });
    expect(sim.calls.filter((c) => c.service === 'costexplorer')).toHaveLength(1);
    expect(r.spend).toMatchObject({ status: 'known', total: 60, currency: 'USD' });
    // The account trails are redundant (the organization trail analyzes every account-region): what their owners are billed.
    expect(r.spend!.redundant).toEqual({
      total: 20,
      accountRegions: [
        { accountId: accountId(1), region: 'us-east-1', amount: 12.5, carriers: [`arn:aws:cloudtrail:us-east-1:${accountId(1)}:trail/account-trail`] },
        { accountId: accountId(2), region: 'us-east-1', amount: 5, carriers: [`arn:aws:cloudtrail:us-east-1:${accountId(2)}:trail/account-trail`] },
        { accountId: accountId(1), region: 'eu-west-1', amount: 2.5, carriers: [`arn:aws:cloudtrail:us-east-1:${accountId(1)}:trail/account-trail`] },
      ],
    });
  });

  it('says the spend is unknown, with the reason, when Cost Explorer refuses, and sweeps all the same', async () => {
    const world = { ...generateCarrierWorld(3, REGIONS), costs: { deniedCallers: [MGMT] } } as WorldInput;
    const r = await run(world, policyOf('coverage'), new InMemoryLedger(), { spend: true });
    expect(r.spend).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/AccessDenied/) });
    expect(uncovered(r)).toEqual([]);
  });
});
