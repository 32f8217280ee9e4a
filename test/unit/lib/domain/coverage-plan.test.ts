import { carrierKindOf, type Carrier } from '../../../../lib/domain/carriers';
import { judgeCoverage, planCoverage, type JudgedAccountRegion } from '../../../../lib/domain/coverage-plan';
import { aPolicy, MANAGEMENT, trailArn, storeArn } from '../../../helpers/builders';

const REGIONS = ['us-east-1', 'eu-west-1'];
const MEMBERS = Array.from({ length: 20 }, (_, i) => String(200000000000 + i));
const ACCOUNTS = [MANAGEMENT, ...MEMBERS];
const everyAccountRegion = (accounts = ACCOUNTS): JudgedAccountRegion[] => accounts.flatMap((accountId) => REGIONS.map((region) => ({ accountId, region })));
const coverage = (extra: Record<string, unknown> = {}) => aPolicy({ objective: 'coverage', scope: { regions: { include: REGIONS } }, ...extra });

type Shape = Partial<Carrier> & { name: string; accountId?: string };
function carrier(s: Shape): Carrier {
  const accountId = s.accountId ?? MANAGEMENT;
  const homeRegion = s.homeRegion ?? 'us-east-1';
  const kind = s.kind ?? 'trail';
  const organization = s.organization ?? false;
  const multiRegion = s.multiRegion ?? false;
  const arn = kind === 'trail' ? trailArn(s.name, accountId, homeRegion) : storeArn(s.name, accountId, homeRegion);
  return { arn, kind, accountId, homeRegion, organization, multiRegion, carrierKind: carrierKindOf({ kind, organization, multiRegion }), analyzing: false, billed: false, writable: true, pinned: false, ...s };
}
const off = (s: Shape) => carrier({ repair: { writes: 1, restartsClock: true, addsManagementCopy: false }, ...s });
const on = (s: Shape) => carrier({ analyzing: true, billed: true, ...s });
const orgTrail = (s: Partial<Shape> = {}) => off({ name: 'org-trail', organization: true, multiRegion: true, ...s });
const accountTrails = (make: (s: Shape) => Carrier) => MEMBERS.map((accountId) => make({ name: `trail-${accountId}`, accountId, multiRegion: true }));

describe('coverage objective: every account-region analyzed once, on the cheapest carrier', () => {
  it('covers every member account-region from the organization trail with one write, leaving the account trails alone', () => {
    const plan = planCoverage({ policy: coverage(), accountRegions: everyAccountRegion(), organizationAccounts: ACCOUNTS, carriers: [orgTrail(), ...accountTrails(off)] });
    expect(plan.repairs.map((r) => r.arn)).toEqual([trailArn('org-trail', MANAGEMENT)]);
    expect(plan.cost).toEqual({ writes: 1, sourcesNewlyBilled: 1, managementCopiesAdded: 0, clocksRestarted: 1 });
    expect(plan.judgements.every((j) => j.status === 'uncovered' && j.carrier === trailArn('org-trail', MANAGEMENT))).toBe(true);
  });

  it("repairs the one broken account's own trail instead of turning on the organization trail, which would analyze 40 account-regions twice", () => {
    const carriers = [orgTrail(), ...accountTrails(on).slice(1), off({ name: `trail-${MEMBERS[0]}`, accountId: MEMBERS[0]!, multiRegion: true, billed: true })];
    const plan = planCoverage({ policy: coverage(), accountRegions: everyAccountRegion(MEMBERS), organizationAccounts: ACCOUNTS, carriers });
    expect(plan.repairs).toEqual([expect.objectContaining({ arn: trailArn(`trail-${MEMBERS[0]}`, MEMBERS[0]!), covers: 2, duplicates: 0, newlyBilled: false })]);
  });

  it("does not repair an account's own carriers when the organization trail, needed anyway for accounts without one, covers them", () => {
    const [a, b] = [MEMBERS[0]!, MEMBERS[1]!];
    // b has its own cheap carriers; a and the management account have none: only the organization trail reaches them.
    const carriers = [orgTrail(), off({ name: 'b-regional', accountId: b }), off({ name: 'b-store', kind: 'eventDataStore', accountId: b, multiRegion: true })];
    const plan = planCoverage({ policy: coverage(), accountRegions: everyAccountRegion([MANAGEMENT, a, b]), organizationAccounts: ACCOUNTS, carriers });
    expect(plan.repairs.map((r) => r.arn)).toEqual([trailArn('org-trail', MANAGEMENT)]);
    expect(plan.judgements.filter((j) => j.carrier !== trailArn('org-trail', MANAGEMENT))).toEqual([]);
  });

  it('prefers a multi-Region trail that covers all of an account\'s regions over a regional trail per region', () => {
    const a = MEMBERS[0]!;
    const carriers = [off({ name: 'regional-us', accountId: a }), off({ name: 'regional-eu', accountId: a, homeRegion: 'eu-west-1' }), off({ name: 'all-regions', accountId: a, multiRegion: true })];
    const plan = planCoverage({ policy: coverage(), accountRegions: everyAccountRegion([a]), organizationAccounts: ACCOUNTS, carriers });
    expect(plan.repairs.map((r) => r.arn)).toEqual([trailArn('all-regions', a)]);
  });

  it('uses a pinned carrier first, whatever the preference', () => {
    const a = MEMBERS[0]!;
    const carriers = [orgTrail(), off({ name: 'store', kind: 'eventDataStore', accountId: a, multiRegion: true, pinned: true })];
    const plan = planCoverage({ policy: coverage(), accountRegions: everyAccountRegion([a]), organizationAccounts: ACCOUNTS, carriers });
    expect(plan.repairs.map((r) => r.arn)).toEqual([storeArn('store', a)]);
  });

  it('follows the policy ranking of carrier kinds when nothing else differs', () => {
    const a = MEMBERS[0]!;
    const carriers = [off({ name: 'trail', accountId: a, multiRegion: true }), off({ name: 'store', kind: 'eventDataStore', accountId: a, multiRegion: true })];
    const preferStores = coverage({ coverage: { carrierPreference: ['multiRegionEventDataStore', 'organizationTrail', 'multiRegionTrail', 'regionalTrail', 'organizationEventDataStore', 'regionalEventDataStore'] } });
    expect(planCoverage({ policy: coverage(), accountRegions: everyAccountRegion([a]), organizationAccounts: ACCOUNTS, carriers }).repairs.map((r) => r.arn)).toEqual([trailArn('trail', a)]);
    expect(planCoverage({ policy: preferStores, accountRegions: everyAccountRegion([a]), organizationAccounts: ACCOUNTS, carriers }).repairs.map((r) => r.arn)).toEqual([storeArn('store', a)]);
  });

  it('covers every member account-region from an organization event data store, which members cannot see', () => {
    const store = off({ name: 'org-store', kind: 'eventDataStore', organization: true, multiRegion: true });
    const plan = planCoverage({ policy: coverage(), accountRegions: everyAccountRegion(), organizationAccounts: ACCOUNTS, carriers: [store] });
    expect(plan.repairs.map((r) => r.covers)).toEqual([ACCOUNTS.length * REGIONS.length]);
  });

  it('covers only its home region with a single-Region organization trail', () => {
    const single = orgTrail({ multiRegion: false });
    const plan = planCoverage({ policy: coverage(), accountRegions: everyAccountRegion(), organizationAccounts: ACCOUNTS, carriers: [single] });
    expect(plan.repairs[0]!.covers).toBe(ACCOUNTS.length);
    const left = plan.judgements.filter((j) => j.status === 'uncovered' && !j.carrier);
    expect(left.map((j) => j.region)).toEqual(ACCOUNTS.map(() => 'eu-west-1'));
    expect(left[0]!.remedy).toMatch(/create a trail/);
  });

  it('names what blocks the only sources that reach an uncovered account-region', () => {
    const a = MEMBERS[0]!;
    const blocked = carrier({ name: 'narrowed', accountId: a, multiRegion: true, blocked: 'trail narrowed: management events are logged only through filtering selectors' });
    const plan = planCoverage({ policy: coverage(), accountRegions: everyAccountRegion([a]), organizationAccounts: ACCOUNTS, carriers: [blocked] });
    expect(plan.repairs).toEqual([]);
    expect(plan.judgements[0]!.remedy).toBe('repair one of the sources that reach it: trail narrowed: management events are logged only through filtering selectors');
  });

  it('never plans a repair the product may not write', () => {
    const a = MEMBERS[0]!;
    const exempt = carrier({ name: 'exempt', accountId: a, multiRegion: true, writable: false });
    expect(planCoverage({ policy: coverage(), accountRegions: everyAccountRegion([a]), organizationAccounts: ACCOUNTS, carriers: [exempt] }).repairs).toEqual([]);
  });

  it('judges an unreadable account-region covered when an organization carrier analyzes it, unknown otherwise', () => {
    const a = MEMBERS[0]!;
    const ars = [{ accountId: a, region: 'us-east-1', unreadable: true }, { accountId: a, region: 'eu-west-1', unreadable: true }];
    const j = judgeCoverage({ policy: coverage(), accountRegions: ars, organizationAccounts: ACCOUNTS, carriers: [on({ name: 'org', organization: true })] });
    expect(j.map((x) => x.status)).toEqual(['covered', 'unknown']);
  });

  it('keeps an exempt account-region exempt and plans nothing for it', () => {
    const a = MEMBERS[0]!;
    const plan = planCoverage({ policy: coverage(), accountRegions: [{ accountId: a, region: 'us-east-1', exempt: 'sandbox' }], organizationAccounts: ACCOUNTS, carriers: [orgTrail()] });
    expect([plan.judgements[0]!.status, plan.repairs]).toEqual(['exempt', []]);
  });
});

describe('pending first delivery and redundancy', () => {
  const a = MEMBERS[0]!;

  it('reports an account-region whose only carrier is inside its window as pending until the earliest expected delivery', () => {
    const carriers = [on({ name: 'x', accountId: a, pendingUntil: '2026-11-23T00:00:00.000Z' }), on({ name: 'y', accountId: a, pendingUntil: '2026-11-22T00:00:00.000Z' })];
    const [j] = judgeCoverage({ policy: coverage(), accountRegions: [{ accountId: a, region: 'us-east-1' }], organizationAccounts: ACCOUNTS, carriers });
    expect(j).toMatchObject({ status: 'pending-first-delivery', pendingUntil: '2026-11-22T00:00:00.000Z', redundant: true });
  });

  it('names the sources of an account-region analyzed twice, preferred first, and calls it a cost, not drift', () => {
    const carriers = [on({ name: `trail-${a}`, accountId: a, multiRegion: true }), on({ name: 'org-trail', organization: true, multiRegion: true })];
    const plan = planCoverage({ policy: coverage(), accountRegions: everyAccountRegion([a]), organizationAccounts: ACCOUNTS, carriers });
    expect(plan.judgements.map((j) => [j.status, j.redundant, j.analyzedBy])).toEqual(REGIONS.map(() => ['covered', true, [trailArn('org-trail', MANAGEMENT), trailArn(`trail-${a}`, a)]]));
    expect(plan.redundantCarriers).toEqual([trailArn(`trail-${a}`, a)]);
    expect(plan.disable).toEqual([]); // report is the default
  });

  it('with redundant: disable, turns off the non-preferred carrier once the preferred one delivers', () => {
    const policy = coverage({ coverage: { redundant: 'disable' } });
    const mine = on({ name: `trail-${a}`, accountId: a, multiRegion: true });
    const delivering = on({ name: 'org-trail', organization: true, multiRegion: true });
    expect(planCoverage({ policy, accountRegions: everyAccountRegion([a]), organizationAccounts: ACCOUNTS, carriers: [mine, delivering] }).disable).toEqual([{ arn: mine.arn, keptBy: [delivering.arn] }]);
  });

  it('with redundant: disable, waits while the preferred carrier is still inside its delivery window', () => {
    const policy = coverage({ coverage: { redundant: 'disable' } });
    const pending = on({ name: 'org-trail', organization: true, multiRegion: true, pendingUntil: '2026-11-23T00:00:00.000Z' });
    expect(planCoverage({ policy, accountRegions: everyAccountRegion([a]), organizationAccounts: ACCOUNTS, carriers: [on({ name: `trail-${a}`, accountId: a, multiRegion: true }), pending] }).disable).toEqual([]);
  });

  it('with redundant: disable, never turns off the last carrier of an account-region, nor an organization carrier', () => {
    const policy = coverage({ coverage: { redundant: 'disable' } });
    // The multi-Region trail is redundant in us-east-1 only; in eu-west-1 it is the last carrier.
    const regional = on({ name: 'regional', accountId: a });
    const multi = on({ name: 'multi', accountId: a, multiRegion: true });
    expect(planCoverage({ policy, accountRegions: everyAccountRegion([a]), organizationAccounts: ACCOUNTS, carriers: [regional, multi] }).disable).toEqual([{ arn: regional.arn, keptBy: [multi.arn] }]);
    const pinnedAccountTrail = on({ name: 'mine', accountId: a, multiRegion: true, pinned: true });
    const org = on({ name: 'org-trail', organization: true, multiRegion: true });
    expect(planCoverage({ policy, accountRegions: everyAccountRegion([a]), organizationAccounts: ACCOUNTS, carriers: [pinnedAccountTrail, org] }).disable).toEqual([]);
  });
});
