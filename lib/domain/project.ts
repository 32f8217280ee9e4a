/**
 * The state a source will be in once a plan's writes succeed, as CloudTrail applies them: PutEventSelectors replaces
 * the selectors (basic or advanced, the other kind cleared), PutInsightSelectors replaces the whole list
 * (`com.amazonaws.cloudtrail#PutInsightSelectors`), StartLogging / StartEventDataStoreIngestion resume. Pure. Used for
 * "before -> after" in reports and to prove that plans converge.
 */
import type { Action } from './actions';
import type { SourceState } from './model';

export function projectState(state: SourceState, actions: readonly Action[], now: Date): SourceState {
  return actions.reduce((s, a) => (a.sourceArn === s.arn ? applyAction(s, a, now) : s), state);
}

function applyAction(s: SourceState, a: Action, now: Date): SourceState {
  switch (a.kind) {
    case 'putEventSelectors':
      if (s.kind !== 'trail') return s;
      return {
        ...s,
        eventSelectors: 'EventSelectors' in a.input ? { kind: 'basic', selectors: a.input.EventSelectors } : { kind: 'advanced', selectors: a.input.AdvancedEventSelectors },
      };
    case 'updateEventDataStoreSelectors':
      return s.kind === 'eventDataStore' ? { ...s, advancedEventSelectors: a.input.AdvancedEventSelectors, updatedTimestamp: now.toISOString() } : s;
    case 'startLogging':
      return s.kind === 'trail' ? { ...s, isLogging: true, startLoggingTime: now.toISOString() } : s;
    case 'startIngestion':
      // STARTING_INGESTION settles to ENABLED (`com.amazonaws.cloudtrail#EventDataStoreStatus`,
      // `com.amazonaws.cloudtrail#StartEventDataStoreIngestion`); the projection shows where it settles.
      return s.kind === 'eventDataStore' ? { ...s, status: 'ENABLED' } : s;
    case 'disableInsights': {
      if (s.kind === 'trail') return { ...s, insightSelectors: [] };
      const { insightsDestination: _gone, ...rest } = s;
      return { ...rest, insightSelectors: [] };
    }
    case 'createInsightsDestination':
      return s; // another store: the source is changed by the PutInsightSelectors that follows
    case 'putInsightSelectors':
      if ('InsightsDestination' in a.input) {
        return s.kind === 'eventDataStore' ? { ...s, insightSelectors: a.input.InsightSelectors, insightsDestination: a.input.InsightsDestination } : s;
      }
      return { ...s, insightSelectors: a.input.InsightSelectors };
  }
}
