// Properties of decide() over generated organizations: plans converge, never disable, write only where allowed,
// and produce states CloudTrail's documented rules accept (restated here independently of lib/domain).
import fc from 'fast-check';
import type { Action } from '../../../../lib/domain/actions';
import { decide, type DecisionInput } from '../../../../lib/domain/decide';
import { channelsOf } from '../../../../lib/domain/insight-channels';
import type {
  AdvancedEventSelector,
  BasicEventSelector,
  EventDataStoreState,
  EventDataStoreStatus,
  EventDataStoreSummary,
  InsightSelector,
  SourceState,
  TrailState,
} from '../../../../lib/domain/model';
import { projectState } from '../../../../lib/domain/project';
import { validatePolicy } from '../../../../lib/policy/load';
import { MANAGEMENT, MEMBER, NOW, storeArn } from '../../../helpers/builders';

const RUNS = 2500;
const REGIONS = ['us-east-1', 'eu-west-1'] as const;

const insightSelectors = fc
  .subarray(['ApiCallRateInsight:Management', 'ApiCallRateInsight:Data', 'ApiErrorRateInsight:Management', 'ApiErrorRateInsight:Data'] as const)
  .chain((channels) =>
    fc.boolean().map((omitCategories): InsightSelector[] => {
      const byType = new Map<string, ('Management' | 'Data')[]>();
      for (const c of channels) {
        const [t, cat] = c.split(':') as ['ApiCallRateInsight' | 'ApiErrorRateInsight', 'Management' | 'Data'];
        byType.set(t, [...(byType.get(t) ?? []), cat]);
      }
      return [...byType].map(([t, cats]) =>
        omitCategories && cats.length === 1 && cats[0] === 'Management'
          ? { InsightType: t as InsightSelector['InsightType'] }
          : { InsightType: t as InsightSelector['InsightType'], EventCategories: cats },
      );
    }),
  );

const basicSelector: fc.Arbitrary<BasicEventSelector> = fc.record(
  {
    ReadWriteType: fc.constantFrom('ReadOnly', 'WriteOnly', 'All'),
    IncludeManagementEvents: fc.boolean(),
    DataResources: fc.constantFrom([], [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::b/'] }]),
    ExcludeManagementEventSources: fc.constantFrom([], ['kms.amazonaws.com']),
  },
  { requiredKeys: [] },
);

const ADVANCED_POOL: AdvancedEventSelector[] = [
  { Name: 'mgmt', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
  { Name: 'mgmt-read', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] }] },
  { Name: 'mgmt-write', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['false'] }] },
  { Name: 'mgmt-no-kms', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] }, { Field: 'readOnly', Equals: ['true'] }] },
  { Name: 'mgmt-narrowed', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventName', Equals: ['ConsoleLogin'] }] },
  { Name: 'data-s3', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }] },
  { Name: 'network', FieldSelectors: [{ Field: 'eventCategory', Equals: ['NetworkActivity'] }, { Field: 'eventSource', Equals: ['ec2.amazonaws.com'] }] },
];
// Mostly stores that log management events in some form, as real ones do.
const advancedSelectors = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...ADVANCED_POOL.slice(0, 4)), fc.subarray(ADVANCED_POOL, { maxLength: 4 })).map(([m, rest]) => [m, ...rest.filter((r) => r !== m)]) },
  { weight: 1, arbitrary: fc.subarray(ADVANCED_POOL, { maxLength: 5 }) },
);

/** True about one time in n. */
const rarely = (n: number) => fc.nat(n - 1).map((x) => x === 0);

const identity = fc.record({
  owner: fc.constantFrom(MEMBER, MANAGEMENT),
  observedFromOther: rarely(12),
  homeRegion: fc.constantFrom(...REGIONS),
  shadowRegion: rarely(12),
  organizationOwned: rarely(5),
  insightSelectors,
});

function identityFields(id: { owner: string; observedFromOther: boolean; homeRegion: string; shadowRegion: boolean; organizationOwned: boolean }, arn: string, name: string) {
  return {
    arn,
    name,
    accountId: id.owner,
    observedFromAccountId: id.observedFromOther ? (id.owner === MEMBER ? MANAGEMENT : MEMBER) : id.owner,
    region: id.shadowRegion ? REGIONS.find((r) => r !== id.homeRegion)! : id.homeRegion,
    homeRegion: id.homeRegion,
    multiRegion: true,
    organizationOwned: id.organizationOwned,
  };
}

const trail: fc.Arbitrary<TrailState> = fc
  .record({
    id: identity,
    selectors: fc.oneof(
      fc.array(basicSelector, { maxLength: 5 }).map((selectors) => ({ kind: 'basic' as const, selectors })),
      advancedSelectors.map((selectors) => ({ kind: 'advanced' as const, selectors })),
    ),
    isLogging: rarely(3).map((stopped) => !stopped),
    deliveryError: rarely(12).map((broken) => (broken ? 'AccessDenied' : null)),
  })
  .map(({ id, selectors, isLogging, deliveryError }) => ({
    kind: 'trail',
    ...identityFields(id, `arn:aws:cloudtrail:${id.homeRegion}:${id.owner}:trail/t`, 't'),
    insightSelectors: id.insightSelectors,
    eventSelectors: selectors,
    isLogging,
    ...(deliveryError && { latestDeliveryError: deliveryError }),
  }));

const DESTINATIONS = (owner: string) => [storeArn('dest-ok', owner), storeArn('dest-mgmt', owner), storeArn('dest-gone', owner), storeArn('dest-other', '999999999999'), storeArn('dest-eu', owner, 'eu-west-1')];
const STATUSES: EventDataStoreStatus[] = [...Array<EventDataStoreStatus>(8).fill('ENABLED'), 'STOPPED_INGESTION', 'STOPPED_INGESTION', 'STARTING_INGESTION', 'STOPPING_INGESTION', 'CREATED', 'PENDING_DELETION'];

const store: fc.Arbitrary<EventDataStoreState> = fc
  .record({ id: identity, selectors: advancedSelectors, status: fc.constantFrom(...STATUSES), destination: fc.option(fc.nat(4), { freq: 4 }), insightOnly: rarely(12) })
  .map(({ id, selectors, status, destination, insightOnly }) => ({
    kind: 'eventDataStore',
    ...identityFields(id, storeArn('s', id.owner, id.homeRegion), 's'),
    insightSelectors: id.insightSelectors.map((s) => ({ ...s, ...(s.EventCategories && { EventCategories: s.EventCategories.filter((c) => c === 'Management') }) })).filter((s) => !s.EventCategories || s.EventCategories.length > 0),
    advancedEventSelectors: insightOnly ? [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Insight'] }] }] : selectors,
    status,
    ...(destination !== null && { insightsDestination: DESTINATIONS(id.owner)[destination]! }),
  }));

const DEST_OK = (owner: string): EventDataStoreSummary => ({ arn: storeArn('dest-ok', owner), name: 'dest-ok', accountId: owner, region: 'us-east-1', status: 'ENABLED', eventCategories: ['Insight'] });
const storesInAccount = (owner: string): fc.Arbitrary<EventDataStoreSummary[]> =>
  fc.subarray([
    { arn: storeArn('dest-ok', owner), name: 'dest-ok', accountId: owner, region: 'us-east-1', status: 'ENABLED', eventCategories: ['Insight'] },
    { arn: storeArn('dest-mgmt', owner), name: 'dest-mgmt', accountId: owner, region: 'us-east-1', status: 'ENABLED', eventCategories: ['Management'] },
    { arn: storeArn('dest-gone', owner), name: 'dest-gone', accountId: owner, region: 'us-east-1', status: 'PENDING_DELETION', eventCategories: ['Insight'] },
    { arn: storeArn('dest-eu', owner, 'eu-west-1'), name: 'dest-eu', accountId: owner, region: 'eu-west-1', status: 'ENABLED', eventCategories: ['Insight'] },
  ] satisfies EventDataStoreSummary[]);

const policy = fc
  .record({
    mode: fc.constantFrom('enforce', 'report'),
    trailTypes: fc.subarray(['ApiCallRateInsight', 'ApiErrorRateInsight'], { minLength: 1 }),
    storeTypes: fc.subarray(['ApiCallRateInsight', 'ApiErrorRateInsight'], { minLength: 1 }),
    trailData: fc.boolean(),
    dataCategory: fc.constantFrom('whenLogged', 'always'),
    eventSelectors: fc.constantFrom('repair', 'report'),
    logging: fc.constantFrom('repair', 'report'),
    named: rarely(3).chain((pin) => (pin ? fc.constantFrom('dest-ok', 'dest-ok', 'dest-eu', 'dest-mgmt') : fc.constant(null))),
  })
  .map((p) =>
    validatePolicy({
      version: 1,
      mode: p.mode,
      scope: { regions: { include: [...REGIONS] } },
      trails: { insightTypes: p.trailTypes, eventCategories: p.trailData ? ['Management', 'Data'] : ['Management'], dataCategory: p.dataCategory },
      eventDataStores: {
        insightTypes: p.storeTypes,
        destination: p.named
          ? {
              strategy: 'named',
              stores: [MEMBER, MANAGEMENT].flatMap((account) => REGIONS.map((region) => ({ account, region, eventDataStore: p.named! }))),
            }
          : { strategy: 'anyInsightStoreInAccount' },
      },
      prerequisites: { eventSelectors: p.eventSelectors, logging: p.logging },
    }),
  );

const input: fc.Arbitrary<DecisionInput> = fc
  .record({ source: fc.oneof(trail, store), policy })
  .chain(({ source, policy }) =>
    fc.oneof({ weight: 3, arbitrary: storesInAccount(source.accountId).map((l) => (l.some((x) => x.name === 'dest-ok') ? l : [...l, DEST_OK(source.accountId)])) }, { weight: 1, arbitrary: storesInAccount(source.accountId) }).map((eventDataStoresInAccount) => ({
      policy,
      source: source as SourceState,
      context: { managementAccountId: MANAGEMENT, eventDataStoresInAccount },
      now: NOW,
    })),
  );

// CloudTrail's rules for a state it accepts, restated from `com.amazonaws.cloudtrail#PutInsightSelectors`,
// `com.amazonaws.cloudtrail#EventSelector` and
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html (how selectors add up is
// INFERRED: docs/rules.md E1-E4).
function logs(state: SourceState): { read: boolean; write: boolean; data: boolean } {
  const basic = state.kind === 'trail' && state.eventSelectors.kind === 'basic' ? state.eventSelectors.selectors : undefined;
  if (basic) {
    const mgmt = basic.filter((s) => s.IncludeManagementEvents !== false);
    return {
      read: mgmt.some((s) => s.ReadWriteType !== 'WriteOnly'),
      write: mgmt.some((s) => s.ReadWriteType !== 'ReadOnly'),
      data: basic.some((s) => (s.DataResources ?? []).length > 0),
    };
  }
  const adv = state.kind === 'trail' ? (state.eventSelectors.selectors as AdvancedEventSelector[]) : state.advancedEventSelectors;
  const full = adv.filter(
    (s) => s.FieldSelectors.some((f) => f.Field === 'eventCategory' && f.Equals?.includes('Management')) && !s.FieldSelectors.some((f) => !['eventCategory', 'readOnly'].includes(f.Field) && (f.Equals || f.StartsWith || f.EndsWith)),
  );
  const ro = (s: AdvancedEventSelector) => s.FieldSelectors.find((f) => f.Field === 'readOnly')?.Equals;
  return {
    read: full.some((s) => !ro(s) || ro(s)!.includes('true')),
    write: full.some((s) => !ro(s) || ro(s)!.includes('false')),
    data: adv.some((s) => s.FieldSelectors.some((f) => f.Field === 'eventCategory' && f.Equals?.includes('Data'))),
  };
}

function acceptedByCloudTrail(put: Extract<Action, { kind: 'putInsightSelectors' }>, after: SourceState, ctx: DecisionInput['context']): string | undefined {
  const l = logs(after);
  for (const s of put.input.InsightSelectors) {
    const cats = s.EventCategories ?? ['Management'];
    if (cats.includes('Management') && s.InsightType === 'ApiCallRateInsight' && !l.write) return 'ApiCallRateInsight without write management events';
    if (cats.includes('Management') && s.InsightType === 'ApiErrorRateInsight' && !l.read && !l.write) return 'ApiErrorRateInsight without management events';
    if (cats.includes('Data') && (after.kind !== 'trail' || !l.data)) return 'Data Insights without data events, or on an event data store';
  }
  const input = put.input;
  if ('InsightsDestination' in input) {
    const dest = ctx.eventDataStoresInAccount.find((s) => s.arn === input.InsightsDestination);
    if (!dest || !dest.eventCategories.includes('Insight') || dest.accountId !== after.accountId || dest.status === 'PENDING_DELETION') return 'destination not an Insight store of the same account';
  }
  return undefined;
}

describe('decide over generated organizations', () => {
  it('generates every kind of finding and every kind of write, so the properties below are not vacuous', () => {
    const statuses = new Map<string, number>();
    const kinds = new Map<string, number>();
    for (const inp of fc.sample(input, { numRuns: RUNS, seed: 7 })) {
      const d = decide(inp);
      statuses.set(d.finding.status, (statuses.get(d.finding.status) ?? 0) + 1);

      for (const a of d.actions) kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1);
    }
    for (const status of ['compliant', 'drifted', 'not-remediable', 'out-of-scope']) expect(statuses.get(status) ?? 0).toBeGreaterThan(RUNS / 50);
    for (const kind of ['putEventSelectors', 'updateEventDataStoreSelectors', 'startLogging', 'startIngestion', 'putInsightSelectors']) expect(kinds.get(kind) ?? 0).toBeGreaterThan(RUNS / 100);
  });

  it(`converges: applying a plan to the state it was made from leaves nothing to plan (${RUNS} states)`, () => {
    fc.assert(
      fc.property(input, (inp) => {
        const d = decide(inp);
        const after = projectState(inp.source, d.actions, inp.now);
        const again = decide({ ...inp, source: after, clockFacts: d.clockFacts });
        expect(again.actions).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('never plans a disable or a no-op: every PutInsightSelectors keeps every channel already on', () => {
    fc.assert(
      fc.property(input, (inp) => {
        const before = channelsOf(inp.source.insightSelectors);
        for (const a of decide(inp).actions)
          if (a.kind === 'putInsightSelectors') {
            const put = channelsOf(a.input.InsightSelectors);
            expect([...before].filter((c) => !put.has(c))).toEqual([]);
            const moves = 'InsightsDestination' in a.input && inp.source.kind === 'eventDataStore' && a.input.InsightsDestination !== inp.source.insightsDestination;
            // A re-put of the same list would be a write for nothing: it must add a channel or move the destination.
            expect(put.size > before.size || moves).toBe(true);
          }
      }),
      { numRuns: RUNS },
    );
  });

  it('plans no write when nothing is wrong, or the source is exempt, out of scope or a shadow copy', () => {
    fc.assert(
      fc.property(input, (inp) => {
        const d = decide(inp);
        if (['compliant', 'pending-first-delivery', 'exempt', 'out-of-scope'].includes(d.finding.status)) expect(d.actions).toEqual([]);
        if (d.actions.length > 0) expect(d.finding.reasons.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('writes only the home copy, from its owner account, and organization sources only from the management account', () => {
    fc.assert(
      fc.property(input, (inp) => {
        const s = inp.source;
        for (const a of decide(inp).actions) {
          expect(s.observedFromAccountId).toBe(s.accountId);
          expect(s.region).toBe(s.homeRegion);
          expect(a).toMatchObject({ accountId: s.accountId, region: s.homeRegion, sourceArn: s.arn });
          if (s.organizationOwned) expect(s.accountId).toBe(MANAGEMENT);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('makes at most one call per operation, in order: selectors, logging, Insights; and each Insights call is one CloudTrail accepts', () => {
    const rank: Record<Action['kind'], number> = { putEventSelectors: 0, updateEventDataStoreSelectors: 0, startLogging: 1, startIngestion: 1, createInsightsDestination: 2, putInsightSelectors: 3, disableInsights: 4 };
    fc.assert(
      fc.property(input, (inp) => {
        const d = decide(inp);
        // decide() never plans a disabling call (only the coverage planner does, opt-in).
        expect(d.actions.some((a) => a.kind === 'disableInsights')).toBe(false);
        const ranks = d.actions.map((a) => rank[a.kind]);
        expect(ranks).toEqual([...new Set(ranks)].sort());
        const put = d.actions.find((a): a is Extract<Action, { kind: 'putInsightSelectors' }> => a.kind === 'putInsightSelectors');
        if (put) expect(acceptedByCloudTrail(put, projectState(inp.source, d.actions, inp.now), inp.context)).toBeUndefined();
        if (inp.policy.prerequisites.logging === 'report') expect(d.actions.some((a) => a.kind === 'startLogging' || a.kind === 'startIngestion')).toBe(false);
        if (inp.policy.prerequisites.eventSelectors === 'report') expect(d.actions.some((a) => rank[a.kind] === 0)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('a second decision on the repaired state reports no drift that the plan could have fixed', () => {
    fc.assert(
      fc.property(input, (inp) => {
        const d = decide(inp);
        if (d.finding.status !== 'drifted') return;
        const again = decide({ ...inp, source: projectState(inp.source, d.actions, inp.now), clockFacts: d.clockFacts });
        // Drifted means fully repairable, except a store between ingestion states, which waits.
        if (d.finding.blockers.length === 0) expect(['compliant', 'pending-first-delivery']).toContain(again.finding.status);
      }),
      { numRuns: RUNS },
    );
  });
});
