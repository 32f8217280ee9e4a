import { carrierOf, covers } from '../../../../lib/domain/carriers';
import { decide } from '../../../../lib/domain/decide';
import type { SourceState } from '../../../../lib/domain/model';
import { aContext, aPolicy, aStore, aTrail, HOURS, ago, MANAGEMENT, MEMBER, NOW } from '../../../helpers/builders';

const coverage = (extra: Record<string, unknown> = {}) => aPolicy({ objective: 'coverage', ...extra });
const carrierFor = (source: SourceState, policy = coverage(), context = aContext(), clockFacts?: Parameters<typeof decide>[0]['clockFacts']) =>
  carrierOf(policy, source, decide({ policy, source, context, now: NOW, ...(clockFacts && { clockFacts }) }), context);
const DATA_ONLY = { kind: 'basic' as const, selectors: [{ ReadWriteType: 'All' as const, IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::b/'] }] }] };

describe('a source as a carrier of Insights', () => {
  it('is analyzing when its Insights analyze the management events it logs and it is logging', () => {
    expect(carrierFor(aTrail())).toMatchObject({ analyzing: true, billed: true, writable: true, carrierKind: 'multiRegionTrail' });
  });

  it('carries the end of its first-delivery window while pending', () => {
    const c = carrierFor(aTrail(), coverage(), aContext(), { kind: 'trail', logging: 'on', channels: { 'ApiCallRateInsight:Management': { since: ago(HOURS(2)), basis: 'enabled' }, 'ApiErrorRateInsight:Management': { since: ago(HOURS(2)), basis: 'enabled' } } });
    expect(c?.pendingUntil).toBe(new Date(NOW.getTime() - HOURS(2) + HOURS(36)).toISOString());
  });

  it('offers its repair, with what it costs, when Insights are off', () => {
    expect(carrierFor(aTrail({ insightSelectors: [] }))).toMatchObject({ analyzing: false, billed: false, repair: { writes: 1, restartsClock: true, addsManagementCopy: false } });
  });

  it('is no carrier at all when it logs data events only: making it log management events would bill a second copy', () => {
    expect(carrierFor(aTrail({ insightSelectors: [], eventSelectors: DATA_ONLY }))).toBeUndefined();
  });

  it('under everySource with managementEventsOnDataOnlyTrails add, offers that repair and says it adds a billed copy', () => {
    const policy = aPolicy({ objective: 'everySource', trails: { managementEventsOnDataOnlyTrails: 'add' } });
    expect(carrierFor(aTrail({ insightSelectors: [], eventSelectors: DATA_ONLY }), policy)?.repair).toEqual({ writes: 2, restartsClock: true, addsManagementCopy: true });
  });

  it('is no carrier when it is a shadow copy, an Insights destination or pending deletion', () => {
    expect(carrierFor(aTrail({ observedFromAccountId: MANAGEMENT }))).toBeUndefined();
    expect(carrierFor(aStore({ advancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Insight'] }] }], insightSelectors: [] }))).toBeUndefined();
    expect(carrierFor(aStore({ status: 'PENDING_DELETION' }))).toBeUndefined();
  });

  it('still counts as analyzing outside the policy\'s scope, but is never written there', () => {
    const c = carrierFor(aTrail(), coverage({ scope: { accounts: { exclude: [MEMBER] } } }));
    expect(c).toMatchObject({ analyzing: true, writable: false });
    expect(carrierFor(aTrail({ insightSelectors: [] }), coverage({ scope: { accounts: { exclude: [MEMBER] } } }))?.repair).toBeUndefined();
  });

  it('says why when it can neither analyze nor be repaired', () => {
    const narrowed = aTrail({ insightSelectors: [], eventSelectors: { kind: 'advanced', selectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventName', Equals: ['CreateUser'] }] }] } });
    expect(carrierFor(narrowed)?.blocked).toMatch(/^trail main: .*filter/);
  });

  it('is pinned by name or by ARN glob', () => {
    expect(carrierFor(aTrail(), coverage({ coverage: { pin: ['ma*'] } }))?.pinned).toBe(true);
    expect(carrierFor(aTrail(), coverage({ coverage: { pin: [`arn:aws:cloudtrail:*:${MEMBER}:trail/*`] } }))?.pinned).toBe(true);
    expect(carrierFor(aTrail(), coverage({ coverage: { pin: ['other'] } }))?.pinned).toBe(false);
  });

  it('covers what AWS says: an organization source every account, a multi-Region one every region, else its home region', () => {
    const org = carrierFor(aTrail({ accountId: MANAGEMENT, organizationOwned: true, multiRegion: false }), coverage(), aContext())!;
    const accounts = new Set([MANAGEMENT, MEMBER]);
    expect([covers(org, { accountId: MEMBER, region: 'us-east-1' }, accounts), covers(org, { accountId: MEMBER, region: 'eu-west-1' }, accounts)]).toEqual([true, false]);
    const mine = carrierFor(aTrail())!;
    expect([covers(mine, { accountId: MEMBER, region: 'eu-west-1' }, accounts), covers(mine, { accountId: MANAGEMENT, region: 'us-east-1' }, accounts)]).toEqual([true, false]);
  });
});
