import { decide } from '../../../../lib/domain/decide';
import { projectState } from '../../../../lib/domain/project';
import { aContext, aPolicy, aStore, aTrail, NOW } from '../../../helpers/builders';

describe('projectState', () => {
  it('shows a trail as CloudTrail leaves it after the plan', () => {
    const before = aTrail({ isLogging: false, insightSelectors: [], eventSelectors: { kind: 'basic', selectors: [{ ReadWriteType: 'ReadOnly' }] } });
    const d = decide({ policy: aPolicy(), source: before, context: aContext(), now: NOW });
    const after = projectState(before, d.actions, NOW);
    expect(after).toMatchObject({ isLogging: true, startLoggingTime: NOW.toISOString(), eventSelectors: { kind: 'basic', selectors: [{ ReadWriteType: 'All' }] } });
    expect(after.insightSelectors).toHaveLength(2);
  });

  it('shows a store as CloudTrail leaves it after the plan', () => {
    const before = aStore({ status: 'STOPPED_INGESTION', insightSelectors: [], insightsDestination: undefined, advancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] }] }] });
    const d = decide({ policy: aPolicy(), source: before, context: aContext(), now: NOW });
    const after = projectState(before, d.actions, NOW);
    expect(after).toMatchObject({ status: 'ENABLED', insightsDestination: aStore().insightsDestination, advancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory' }] }] });
  });

  it('ignores actions for other sources and for the other kind', () => {
    const trail = aTrail({ insightSelectors: [] });
    const store = aStore({ status: 'STOPPED_INGESTION' });
    const storeActions = decide({ policy: aPolicy(), source: store, context: aContext(), now: NOW }).actions;
    expect(projectState(trail, storeActions, NOW)).toEqual(trail);
    const retargeted = storeActions.map((a) => ({ ...a, sourceArn: trail.arn }));
    expect(projectState(trail, retargeted, NOW)).toEqual(trail);
    const trailActions = decide({ policy: aPolicy(), source: aTrail({ isLogging: false, insightSelectors: [], eventSelectors: { kind: 'basic', selectors: [{ ReadWriteType: 'ReadOnly' }] } }), context: aContext(), now: NOW }).actions;
    const onStore = trailActions.filter((a) => a.kind !== 'putInsightSelectors').map((a) => ({ ...a, sourceArn: store.arn }));
    expect(projectState(store, onStore, NOW)).toEqual(store);
    const edsPut = decide({ policy: aPolicy(), source: aStore({ insightSelectors: [] }), context: aContext(), now: NOW }).actions.map((a) => ({ ...a, sourceArn: trail.arn }));
    expect(projectState(trail, edsPut, NOW)).toEqual(trail);
  });

  it('shows Insights turned off by a disabling, a store losing its destination too, and leaves the source of a created destination as it is', () => {
    const base = { accountId: aTrail().accountId, region: 'us-east-1', why: 'redundant' };
    const trail = aTrail();
    expect(projectState(trail, [{ ...base, sourceArn: trail.arn, kind: 'disableInsights', operation: 'PutInsightSelectors', input: { TrailName: trail.arn, InsightSelectors: [] } }], NOW)).toEqual({ ...trail, insightSelectors: [] });
    const store = aStore();
    const off = projectState(store, [{ ...base, sourceArn: store.arn, kind: 'disableInsights', operation: 'PutInsightSelectors', input: { EventDataStore: store.arn, InsightSelectors: [] } }], NOW);
    expect(off.insightSelectors).toEqual([]);
    expect('insightsDestination' in off).toBe(false);
    const create = {
      ...base,
      sourceArn: store.arn,
      kind: 'createInsightsDestination' as const,
      operation: 'CreateEventDataStore' as const,
      creates: '(the event data store d this plan creates in 222222222222 us-east-1)',
      input: { Name: 'd', AdvancedEventSelectors: [], MultiRegionEnabled: false, OrganizationEnabled: false, RetentionPeriod: 366, BillingMode: 'EXTENDABLE_RETENTION_PRICING' as const, TerminationProtectionEnabled: true, TagsList: [] },
    };
    expect(projectState(store, [create], NOW)).toEqual(store);
  });
});
