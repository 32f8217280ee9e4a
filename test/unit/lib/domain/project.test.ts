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
});
