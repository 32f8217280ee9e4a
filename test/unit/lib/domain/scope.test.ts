import { accountRegionExemption, accountScope, exemptionExpiresAt, matchExemptions, policyNeedsTags, regionScope, regionsInScope, sourceSelection, usesOrganizationalUnits } from '../../../../lib/domain/scope';
import { aPolicy, aTrail, MEMBER, NOW } from '../../../helpers/builders';

describe('accountScope', () => {
  const byOu = aPolicy({ scope: { regions: { include: ['us-east-1'] }, organizationalUnits: { include: ['ou-ab12-prod0001'], exclude: ['ou-ab12-quarantn'] }, accounts: { include: ['999999999999'], exclude: ['888888888888'] } } });

  it('includes every account when nothing is listed', () => expect(accountScope(aPolicy(), MEMBER)).toEqual({ inScope: true }));
  it('includes an account listed directly', () => expect(accountScope(byOu, '999999999999', [])).toEqual({ inScope: true }));
  it('includes an account anywhere under an included OU', () => expect(accountScope(byOu, MEMBER, ['r-ab12', 'ou-ab12-prod0001', 'ou-ab12-team0001'])).toEqual({ inScope: true }));
  it('excludes an account outside the included accounts and OUs', () => expect(accountScope(byOu, MEMBER, ['r-ab12']).inScope).toBe(false));
  it('lets exclusion win over inclusion', () => {
    expect(accountScope(byOu, MEMBER, ['r-ab12', 'ou-ab12-prod0001', 'ou-ab12-quarantn'])).toMatchObject({ inScope: false, reason: expect.stringMatching(/ou-ab12-quarantn/) });
    expect(accountScope(byOu, '888888888888', ['ou-ab12-prod0001'])).toMatchObject({ inScope: false, reason: 'account 888888888888 is excluded by scope.accounts.exclude' });
  });
  it('needs the OU path when the policy scopes by OU', () => expect(() => accountScope(byOu, MEMBER)).toThrow(/OU path of account 222222222222 is required/));
});

describe('regionScope', () => {
  const p = aPolicy({ scope: { regions: { include: ['us-east-1', 'eu-west-1'], exclude: ['eu-west-1'] } } });
  it('covers included regions minus excluded ones', () => {
    expect(regionsInScope(p)).toEqual(['us-east-1']);
    expect(regionScope(p, 'us-east-1')).toEqual({ inScope: true });
    expect(regionScope(p, 'eu-west-1')).toMatchObject({ inScope: false, reason: 'region eu-west-1 is excluded by scope.regions.exclude' });
    expect(regionScope(p, 'ap-south-1')).toMatchObject({ inScope: false });
  });
});

describe('sourceSelection', () => {
  it('selects by name globs and excludes by name', () => {
    const p = aPolicy({ trails: { select: { names: ['prod-*', 'audit?'], excludeNames: ['prod-tmp*'] } } });
    expect(sourceSelection(p, { kind: 'trail', name: 'prod-main' })).toEqual({ inScope: true });
    expect(sourceSelection(p, { kind: 'trail', name: 'audit1' })).toEqual({ inScope: true });
    expect(sourceSelection(p, { kind: 'trail', name: 'audit12' }).inScope).toBe(false);
    expect(sourceSelection(p, { kind: 'trail', name: 'prod-tmp-1' })).toMatchObject({ reason: 'name "prod-tmp-1" matches trails.select.excludeNames' });
  });

  it('selects by tag value or any value, and excludes by tag', () => {
    const p = aPolicy({ eventDataStores: { select: { tags: { team: '*', insights: 'on' }, excludeTags: { lifecycle: 'retiring' } } } });
    expect(policyNeedsTags(p, 'eventDataStore')).toBe(true);
    expect(policyNeedsTags(p, 'trail')).toBe(false);
    expect(sourceSelection(p, { kind: 'eventDataStore', name: 's', tags: { team: 'x', insights: 'on' } })).toEqual({ inScope: true });
    expect(sourceSelection(p, { kind: 'eventDataStore', name: 's', tags: { team: 'x', insights: 'off' } }).inScope).toBe(false);
    expect(sourceSelection(p, { kind: 'eventDataStore', name: 's', tags: { team: 'x', insights: 'on', lifecycle: 'retiring' } })).toMatchObject({ reason: 'tag lifecycle=retiring matches eventDataStores.select.excludeTags' });
    expect(() => sourceSelection(p, { kind: 'eventDataStore', name: 's' })).toThrow(/tags of s are required/);
  });

  it('never finds a required or excluded tag among the prototype keys every object has', () => {
    const requiresConstructor = aPolicy({ trails: { select: { tags: { constructor: '*' } } } });
    expect(sourceSelection(requiresConstructor, { kind: 'trail', name: 't', tags: {} })).toMatchObject({ inScope: false, reason: 'tag constructor=* required by trails.select.tags is absent' });
    expect(sourceSelection(requiresConstructor, { kind: 'trail', name: 't', tags: { team: 'x' } }).inScope).toBe(false);
    expect(sourceSelection(requiresConstructor, { kind: 'trail', name: 't', tags: { constructor: 'yes' } })).toEqual({ inScope: true });

    const excludesToString = aPolicy({ trails: { select: { excludeTags: { toString: '*', hasOwnProperty: '*', __defineGetter__: '*' } } } });
    expect(sourceSelection(excludesToString, { kind: 'trail', name: 't', tags: { team: 'x' } })).toEqual({ inScope: true });
    expect(sourceSelection(excludesToString, { kind: 'trail', name: 't', tags: { toString: 'x' } })).toMatchObject({ reason: 'tag toString=* matches trails.select.excludeTags' });
  });

  it('drops a whole kind when it is disabled', () => {
    expect(sourceSelection(aPolicy({ trails: { enabled: false } }), { kind: 'trail', name: 'x' })).toMatchObject({ reason: 'trails are disabled by trails.enabled' });
    expect(policyNeedsTags(aPolicy({ trails: { enabled: false, select: { tags: { a: 'b' } } } }), 'trail')).toBe(false);
  });
});

describe('exemptions', () => {
  it('a date-only expiry lasts through that day, UTC; a date-time is exact', () => {
    expect(exemptionExpiresAt('2026-12-31')).toBe('2027-01-01T00:00:00.000Z');
    expect(exemptionExpiresAt('2026-12-31T08:00:00+02:00')).toBe('2026-12-31T06:00:00.000Z');
  });

  it('matches on every field given, and separates active from expired', () => {
    const source = { kind: 'trail' as const, arn: aTrail().arn, name: 'main', accountId: MEMBER, homeRegion: 'us-east-1' };
    const p = aPolicy({
      exemptions: [
        { match: { account: '999999999999' }, reason: 'other account', expires: '2030-01-01' },
        { match: { region: 'us-east-1', kind: 'trail' }, reason: 'expired', expires: '2026-01-01' },
        { match: { arn: 'arn:aws:cloudtrail:*:222222222222:trail/*' }, reason: 'first active', expires: '2027-01-01' },
        { match: { name: 'm*' }, reason: 'second active', expires: '2028-01-01' },
        { match: { region: 'eu-west-1' }, reason: 'other region', expires: '2030-01-01' },
        { match: { kind: 'eventDataStore' }, reason: 'other kind', expires: '2030-01-01' },
        { match: { name: 'x*' }, reason: 'other name', expires: '2030-01-01' },
        { match: { arn: 'x' }, reason: 'other arn', expires: '2030-01-01' },
      ],
    });
    const m = matchExemptions(p, source, NOW);
    expect(m.active?.reason).toBe('first active');
    expect(m.expired.map((e) => e.reason)).toEqual(['expired']);
  });
});

describe('whole account-region exemptions', () => {
  const later = '2099-01-01';
  const p = aPolicy({
    exemptions: [
      { match: { account: MEMBER, region: 'eu-west-1' }, reason: 'migrating', expires: later },
      { match: { account: '999999999999' }, reason: 'sandbox', expires: later },
      { match: { region: 'ap-south-1' }, reason: 'not used', expires: '2020-01-01' },
      { match: { account: MEMBER, kind: 'trail' }, reason: 'a source exemption, not an account-region one', expires: later },
    ],
  });

  it('exempts an account-region an exemption names by account and region only', () => {
    expect(accountRegionExemption(p, { accountId: MEMBER, region: 'eu-west-1' }, NOW)).toBe('migrating');
    expect(accountRegionExemption(p, { accountId: '999999999999', region: 'us-east-1' }, NOW)).toBe('sandbox');
  });

  it('ignores an expired one, one that names a kind, name or ARN, and other account-regions', () => {
    expect(accountRegionExemption(p, { accountId: MEMBER, region: 'ap-south-1' }, NOW)).toBeUndefined();
    expect(accountRegionExemption(p, { accountId: MEMBER, region: 'us-east-1' }, NOW)).toBeUndefined();
  });

  it('knows whether a policy scopes by organizational unit', () => {
    expect(usesOrganizationalUnits(aPolicy())).toBe(false);
    expect(usesOrganizationalUnits(aPolicy({ scope: { organizationalUnits: { exclude: ['ou-ab12-quarantn'] } } }))).toBe(true);
  });
});
