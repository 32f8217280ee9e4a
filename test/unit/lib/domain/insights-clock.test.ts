import {
  applyClockEffect,
  clockEffectOfApiCall,
  DELIVERY_WINDOW_MS,
  emptyClockFacts,
  insightsClock,
  mergeClockFacts,
  reconcileClockFacts,
  type ClockFacts,
} from '../../../../lib/domain/insights-clock';
import { aStore, aTrail, ago, HOURS, INSIGHT_STORE, NOW, storeArn } from '../../../helpers/builders';

const T0 = '2026-11-20T00:00:00.000Z';
const T1 = '2026-11-21T00:00:00.000Z';
const on = (kind: ClockFacts['kind'], since = T0): ClockFacts => ({
  kind,
  logging: 'on',
  channels: { 'ApiCallRateInsight:Management': { since, basis: 'enabled' }, 'ApiErrorRateInsight:Management': { since, basis: 'enabled' } },
});

describe('delivery windows', () => {
  it('are 36 hours for a trail and 7 days for an event data store', () => {
    expect(DELIVERY_WINDOW_MS.trail).toBe(36 * 3_600_000);
    expect(DELIVERY_WINDOW_MS.eventDataStore).toBe(7 * 24 * 3_600_000);
  });
});

describe('insightsClock', () => {
  it('is off with no channels on', () => expect(insightsClock(emptyClockFacts('trail'), NOW)).toEqual({ status: 'off', channels: [] }));

  it('is pending first delivery until the window ends, then delivering', () => {
    const facts = on('trail', '2026-11-21T00:00:00.000Z');
    expect(insightsClock(facts, new Date('2026-11-22T11:59:59.999Z'))).toMatchObject({ status: 'pending-first-delivery', windowStart: facts.channels['ApiCallRateInsight:Management']!.since, windowEnd: '2026-11-22T12:00:00.000Z' });
    expect(insightsClock(facts, new Date('2026-11-22T12:00:00.000Z')).status).toBe('delivering');
  });

  it('is delivering as soon as an Insights event was observed', () => {
    const facts = applyClockEffect(on('eventDataStore', T1), { type: 'insightsDelivered' }, '2026-11-21T06:00:00.000Z');
    expect(insightsClock(facts, NOW).status).toBe('delivering');
  });

  it('is off while logging is stopped, whatever the windows say', () => {
    const facts = applyClockEffect(on('trail'), { type: 'loggingStopped' }, T1);
    expect(insightsClock(facts, NOW)).toMatchObject({ status: 'off' });
    expect(insightsClock(facts, NOW).channels.every((c) => c.status === 'off')).toBe(true);
  });

  it('reports the latest-ending pending channel as the one that decides', () => {
    const facts: ClockFacts = { kind: 'trail', logging: 'on', channels: { 'ApiCallRateInsight:Management': { since: T0, basis: 'enabled' }, 'ApiErrorRateInsight:Management': { since: '2026-11-21T10:00:00.000Z', basis: 'enabled' } } };
    expect(insightsClock(facts, NOW)).toMatchObject({ status: 'pending-first-delivery', windowEnd: '2026-11-22T22:00:00.000Z' });
  });

  it('treats an unknown window start as long past', () => {
    const facts: ClockFacts = { kind: 'eventDataStore', logging: 'on', channels: { 'ApiCallRateInsight:Management': { basis: 'inferred' } } };
    expect(insightsClock(facts, NOW)).toMatchObject({ status: 'delivering', basis: 'inferred' });
  });
});

describe('applyClockEffect: what restarts the clock', () => {
  it('enabling a channel opens its window; channels already on keep theirs', () => {
    const facts = applyClockEffect(
      { kind: 'trail', logging: 'on', channels: { 'ApiCallRateInsight:Management': { since: T0, basis: 'enabled' } } },
      { type: 'insightsSet', channels: ['ApiCallRateInsight:Management', 'ApiErrorRateInsight:Management'] },
      T1,
    );
    expect(facts.channels).toEqual({ 'ApiCallRateInsight:Management': { since: T0, basis: 'enabled' }, 'ApiErrorRateInsight:Management': { since: T1, basis: 'enabled' } });
  });

  it('re-putting the same selectors restarts nothing', () => {
    const facts = on('trail');
    expect(applyClockEffect(facts, { type: 'insightsSet', channels: ['ApiCallRateInsight:Management', 'ApiErrorRateInsight:Management'] }, T1)).toEqual(facts);
  });

  it('turning Insights off and on again opens a new window', () => {
    const off = applyClockEffect(on('trail'), { type: 'insightsSet', channels: [] }, T1);
    expect(off.channels).toEqual({});
    const again = applyClockEffect(off, { type: 'insightsSet', channels: ['ApiCallRateInsight:Management'] }, NOW.toISOString());
    expect(again.channels['ApiCallRateInsight:Management']).toEqual({ since: NOW.toISOString(), basis: 'enabled' });
  });

  it('a call older than a window the ledger saw begin cannot turn that window off (events arrive late and out of order)', () => {
    // Our write enabled ApiCallRate at T1; the user's call that left only ApiErrorRate on was made at T0 and handled after.
    const facts: ClockFacts = { kind: 'trail', logging: 'on', channels: { 'ApiCallRateInsight:Management': { since: T1, basis: 'enabled' }, 'ApiErrorRateInsight:Management': { since: T0, basis: 'enabled' } } };
    const late = applyClockEffect(facts, { type: 'insightsSet', channels: ['ApiErrorRateInsight:Management'] }, '2026-11-20T12:00:00.000Z');
    expect(late.channels).toEqual(facts.channels);
    // A later call does turn it off, and an inferred start is no evidence of when a window began.
    expect(applyClockEffect(facts, { type: 'insightsSet', channels: ['ApiErrorRateInsight:Management'] }, NOW.toISOString()).channels).toEqual({ 'ApiErrorRateInsight:Management': { since: T0, basis: 'enabled' } });
    const inferred: ClockFacts = { ...facts, channels: { 'ApiCallRateInsight:Management': { since: T1, basis: 'inferred' } } };
    expect(applyClockEffect(inferred, { type: 'insightsSet', channels: [] }, T0).channels).toEqual({});
  });

  it('a stop or start older than the logging change the ledger saw changes nothing (late, out-of-order events)', () => {
    const started = applyClockEffect({ ...on('trail'), logging: 'off' }, { type: 'loggingStarted', alwaysRestarts: false }, T1);
    expect(started).toMatchObject({ logging: 'on', loggingAt: T1 });
    // The user's StopLogging at T0 was handled after our StartLogging at T1: the trail is logging.
    expect(applyClockEffect(started, { type: 'loggingStopped' }, T0)).toEqual(started);
    // A StartLogging older than the stop the ledger saw does not restart the windows at its older time.
    const stopped = applyClockEffect(started, { type: 'loggingStopped' }, NOW.toISOString());
    expect(applyClockEffect(stopped, { type: 'loggingStarted', alwaysRestarts: false }, T1)).toEqual(stopped);
  });

  it('a restart keeps a window seen beginning after it', () => {
    const facts: ClockFacts = { kind: 'trail', logging: 'off', channels: { 'ApiCallRateInsight:Management': { since: T1, basis: 'enabled' }, 'ApiErrorRateInsight:Management': { since: T0, basis: 'enabled' } } };
    expect(applyClockEffect(facts, { type: 'loggingStarted', alwaysRestarts: true }, '2026-11-20T12:00:00.000Z').channels).toEqual({
      'ApiCallRateInsight:Management': { since: T1, basis: 'enabled' },
      'ApiErrorRateInsight:Management': { since: '2026-11-20T12:00:00.000Z', basis: 'restarted' },
    });
  });

  it('stopping and restarting logging restarts every window', () => {
    const stopped = applyClockEffect(on('trail'), { type: 'loggingStopped' }, T1);
    const restarted = applyClockEffect(stopped, { type: 'loggingStarted', alwaysRestarts: false }, NOW.toISOString());
    expect(restarted.logging).toBe('on');
    expect(Object.values(restarted.channels)).toEqual([
      { since: NOW.toISOString(), basis: 'restarted' },
      { since: NOW.toISOString(), basis: 'restarted' },
    ]);
  });

  it('StartLogging on a trail known to be logging restarts nothing', () => {
    const facts = on('trail');
    expect(applyClockEffect(facts, { type: 'loggingStarted', alwaysRestarts: false }, T1)).toBe(facts);
  });

  it('starting ingestion always restarts (it is only possible from STOPPED_INGESTION)', () => {
    const restarted = applyClockEffect(on('eventDataStore'), { type: 'loggingStarted', alwaysRestarts: true }, T1);
    expect(restarted.channels['ApiCallRateInsight:Management']).toEqual({ since: T1, basis: 'restarted' });
  });

  it('a new destination restarts the windows of an event data store', () => {
    const facts = { ...on('eventDataStore'), destination: INSIGHT_STORE };
    const moved = applyClockEffect(facts, { type: 'insightsSet', channels: ['ApiCallRateInsight:Management'], destination: storeArn('other') }, T1);
    expect(moved).toEqual({ kind: 'eventDataStore', logging: 'on', destination: storeArn('other'), channels: { 'ApiCallRateInsight:Management': { since: T1, basis: 'restarted' } } });
  });

  it('records delivery only for windows that began before it', () => {
    const facts = applyClockEffect(on('trail', T1), { type: 'insightsDelivered', channels: ['ApiCallRateInsight:Management'] }, T0);
    expect(facts.channels['ApiCallRateInsight:Management']?.deliveredAt).toBeUndefined();
    const later = applyClockEffect(on('trail', T0), { type: 'insightsDelivered', channels: ['ApiCallRateInsight:Management', 'ApiErrorRateInsight:Data'] }, T1);
    expect(later.channels['ApiCallRateInsight:Management']?.deliveredAt).toBe(T1);
    expect(later.channels['ApiErrorRateInsight:Data']).toBeUndefined();
  });

  it('forgets everything when the source is deleted', () => {
    expect(applyClockEffect(on('trail'), { type: 'sourceDeleted' }, T1)).toEqual(emptyClockFacts('trail'));
  });
});

describe('reconcileClockFacts: catching up with what was missed', () => {
  it('records channels found on, inferring the window from a recent logging start', () => {
    const { facts, changed } = reconcileClockFacts(undefined, aTrail({ startLoggingTime: ago(HOURS(3)) }), NOW);
    expect(changed).toBe(true);
    expect(facts.channels['ApiCallRateInsight:Management']).toEqual({ since: ago(HOURS(3)), basis: 'inferred' });
  });

  it('leaves the start unknown when there is no evidence', () => {
    expect(reconcileClockFacts(undefined, aTrail({ startLoggingTime: undefined }), NOW).facts.channels['ApiErrorRateInsight:Management']).toEqual({ basis: 'inferred' });
    expect(reconcileClockFacts(undefined, aStore(), NOW).facts.channels['ApiErrorRateInsight:Management']).toEqual({ basis: 'inferred' });
  });

  it('reports no change when the stored facts already match', () => {
    const { facts } = reconcileClockFacts(undefined, aStore(), NOW);
    expect(reconcileClockFacts(facts, aStore(), NOW).changed).toBe(false);
  });

  it('drops channels someone turned off', () => {
    const { facts } = reconcileClockFacts(on('trail'), aTrail({ insightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] }), NOW);
    expect(Object.keys(facts.channels)).toEqual(['ApiErrorRateInsight:Management']);
  });

  it('notices a stop, and a restart it did not see, using the trail\'s StartLoggingTime', () => {
    const stopped = reconcileClockFacts(on('trail'), aTrail({ isLogging: false }), NOW).facts;
    expect(stopped.logging).toBe('off');
    const restarted = reconcileClockFacts(stopped, aTrail({ startLoggingTime: ago(HOURS(1)) }), NOW).facts;
    expect(restarted.channels['ApiCallRateInsight:Management']).toEqual({ since: ago(HOURS(1)), basis: 'restarted' });
  });

  it('assumes a store restarted now when it cannot tell when', () => {
    const stopped = reconcileClockFacts(on('eventDataStore'), aStore({ status: 'STOPPED_INGESTION' }), NOW).facts;
    const restarted = reconcileClockFacts(stopped, aStore(), NOW).facts;
    expect(restarted.channels['ApiCallRateInsight:Management']).toEqual({ since: NOW.toISOString(), basis: 'restarted' });
  });

  it('restarts windows when a store\'s destination changed behind its back', () => {
    const facts = { ...on('eventDataStore'), destination: storeArn('old-dest') };
    const r = reconcileClockFacts(facts, aStore(), NOW).facts;
    expect(r.destination).toBe(INSIGHT_STORE);
    expect(r.channels['ApiCallRateInsight:Management']).toEqual({ since: NOW.toISOString(), basis: 'restarted' });
  });
});

describe('reconcileClockFacts: a channel turned on unseen', () => {
  it('dates a channel found on that the tracked facts did not hold from when it was found, not from the old logging start', () => {
    const trail = aTrail({ insightSelectors: [{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiErrorRateInsight' }], isLogging: true, startLoggingTime: ago(HOURS(700)) });
    const tracked: ClockFacts = { kind: 'trail', logging: 'on', channels: { 'ApiErrorRateInsight:Management': { since: T0, basis: 'enabled' } }, trackedSince: T0 };
    const { facts } = reconcileClockFacts(tracked, trail, NOW);
    expect(facts.channels['ApiCallRateInsight:Management']).toEqual({ since: NOW.toISOString(), basis: 'inferred' });
    // First sight of a source: nothing known, the logging start is the lower bound (no false "pending" on an old trail).
    expect(reconcileClockFacts(undefined, trail, NOW).facts.channels['ApiCallRateInsight:Management']).toEqual({ since: ago(HOURS(700)), basis: 'inferred' });
    expect(reconcileClockFacts(undefined, trail, NOW).facts.trackedSince).toBe(NOW.toISOString());
  });
});

describe('clockEffectOfApiCall: which CloudTrail events touch the clock', () => {
  it('reads the new selector list of PutInsightSelectors from its response (or request)', () => {
    expect(
      clockEffectOfApiCall('PutInsightSelectors', { trailName: 't' }, { trailARN: 'arn', insightSelectors: [{ insightType: 'ApiCallRateInsight' }, { insightType: 'ApiErrorRateInsight', eventCategories: ['Management', 'Data'] }] }),
    ).toEqual({ type: 'insightsSet', channels: ['ApiCallRateInsight:Management', 'ApiErrorRateInsight:Management', 'ApiErrorRateInsight:Data'] });
    expect(clockEffectOfApiCall('PutInsightSelectors', { eventDataStore: 'x', insightsDestination: 'd', insightSelectors: [] }, null)).toEqual({ type: 'insightsSet', channels: [], destination: 'd' });
  });

  it('ignores malformed or unknown Insights selectors in a record', () => {
    expect(clockEffectOfApiCall('PutInsightSelectors', { insightSelectors: 'nope' }, null)).toBeUndefined();
    expect(clockEffectOfApiCall('PutInsightSelectors', { insightSelectors: [null] }, null)).toBeUndefined();
    expect(clockEffectOfApiCall('PutInsightSelectors', { insightSelectors: [{ insightType: 'Other' }, { insightType: 'ApiCallRateInsight', eventCategories: ['Bogus'] }] }, undefined)).toEqual({
      type: 'insightsSet',
      channels: ['ApiCallRateInsight:Management'],
    });
  });

  it.each([
    ['StopLogging', { type: 'loggingStopped' }],
    ['StopEventDataStoreIngestion', { type: 'loggingStopped' }],
    ['StartLogging', { type: 'loggingStarted', alwaysRestarts: false }],
    ['StartEventDataStoreIngestion', { type: 'loggingStarted', alwaysRestarts: true }],
    ['RestoreEventDataStore', { type: 'loggingStarted', alwaysRestarts: true }],
    ['DeleteTrail', { type: 'sourceDeleted' }],
    ['DeleteEventDataStore', { type: 'sourceDeleted' }],
  ])('%s', (eventName, effect) => {
    expect(clockEffectOfApiCall(eventName, {}, null)).toEqual(effect);
  });

  it.each(['PutEventSelectors', 'UpdateTrail', 'UpdateEventDataStore', 'CreateTrail', 'CreateEventDataStore', 'AddTags'])('%s does not touch the clock', (eventName) => {
    expect(clockEffectOfApiCall(eventName, {}, {})).toBeUndefined();
  });
});

describe('mergeClockFacts: two writers, no lost facts', () => {
  const T2 = '2026-11-22T00:00:00.000Z';
  const CALL = 'ApiCallRateInsight:Management' as const;
  const ERR = 'ApiErrorRateInsight:Management' as const;

  it('keeps a delivery observed while a repair of another channel was in flight', () => {
    const base = on('trail');
    const delivered = applyClockEffect(base, { type: 'insightsDelivered', channels: [CALL] }, T1);
    const ours = { ...base, channels: { ...base.channels, [ERR]: { since: T2, basis: 'restarted' as const } } };
    const merged = mergeClockFacts(base, ours, delivered);
    expect(merged.channels[CALL]).toEqual({ since: T0, basis: 'enabled', deliveredAt: T1 });
    expect(merged.channels[ERR]).toEqual({ since: T2, basis: 'restarted' });
  });

  it('keeps a delivery observed in the very window the repair confirmed', () => {
    const base = { ...on('trail'), channels: { [CALL]: { basis: 'inferred' as const } } };
    const ours = { ...base, channels: { [CALL]: { basis: 'inferred' as const, since: T0 } } };
    const current = { ...base, channels: { [CALL]: { basis: 'inferred' as const, since: T0, deliveredAt: T1 } } };
    expect(mergeClockFacts(base, ours, current).channels[CALL]).toEqual({ basis: 'inferred', since: T0, deliveredAt: T1 });
  });

  it('lets a window the repair restarted start over: an older delivery does not count', () => {
    const base = on('trail');
    const current = applyClockEffect(base, { type: 'insightsDelivered' }, T1);
    const ours = applyClockEffect(applyClockEffect(base, { type: 'loggingStopped' }, T2), { type: 'loggingStarted', alwaysRestarts: true }, T2);
    const merged = mergeClockFacts(base, ours, current);
    expect(merged.channels[CALL]).toEqual({ since: T2, basis: 'restarted' });
    expect(insightsClock(merged, new Date(T2)).status).toBe('pending-first-delivery');
  });

  it("keeps another writer's logging stop the repair did not touch", () => {
    const base = on('trail');
    const current = applyClockEffect(base, { type: 'loggingStopped' }, T1);
    const ours = { ...base, channels: { ...base.channels, [ERR]: { since: T2, basis: 'restarted' as const } } };
    expect(mergeClockFacts(base, ours, current).logging).toBe('off');
  });

  it('turns off a channel the repair turned off, and keeps one the other writer added', () => {
    const base = on('trail');
    const ours = { ...base, channels: { [CALL]: base.channels[CALL]! } };
    const current = { ...base, channels: { ...base.channels, 'ApiCallRateInsight:Data': { since: T1, basis: 'enabled' as const } } };
    expect(Object.keys(mergeClockFacts(base, ours, current).channels)).toEqual([CALL, 'ApiCallRateInsight:Data']);
  });

  it('is ours when nobody else wrote, and the current facts when we changed nothing', () => {
    const base = on('trail');
    const ours = applyClockEffect(base, { type: 'insightsDelivered' }, T1);
    expect(mergeClockFacts(base, ours, base)).toBe(ours);
    expect(mergeClockFacts(undefined, ours, undefined)).toBe(ours);
    const current = applyClockEffect(base, { type: 'loggingStopped' }, T2);
    expect(mergeClockFacts(base, base, current)).toEqual(current);
  });
});

describe('the clock: edges', () => {
  it('notices a stop it did not see: a trail says when, a store is dated when found', () => {
    const on: ClockFacts = { kind: 'trail', logging: 'on', channels: { 'ApiCallRateInsight:Management': { since: T0, basis: 'enabled' } }, trackedSince: T0 };
    const stoppedTrail = aTrail({ insightSelectors: [{ InsightType: 'ApiCallRateInsight' }], isLogging: false, stopLoggingTime: T1 });
    expect(reconcileClockFacts(on, stoppedTrail, NOW).facts).toMatchObject({ logging: 'off', loggingAt: T1 });
    const unknownStop = aTrail({ insightSelectors: [{ InsightType: 'ApiCallRateInsight' }], isLogging: false });
    expect(reconcileClockFacts(on, unknownStop, NOW).facts).toMatchObject({ logging: 'off', loggingAt: NOW.toISOString() });
    const store = aStore({ status: 'STOPPED_INGESTION', insightSelectors: [{ InsightType: 'ApiCallRateInsight' }] });
    expect(reconcileClockFacts({ ...on, kind: 'eventDataStore', destination: store.insightsDestination }, store, NOW).facts).toMatchObject({ logging: 'off', loggingAt: NOW.toISOString() });
  });

  it('decides by the latest-ending window, a window of unknown start counting as long past', () => {
    const facts: ClockFacts = { kind: 'trail', logging: 'on', channels: { 'ApiCallRateInsight:Management': { basis: 'inferred' }, 'ApiErrorRateInsight:Management': { since: NOW.toISOString(), basis: 'enabled' } } };
    expect(insightsClock(facts, NOW)).toMatchObject({ status: 'pending-first-delivery', windowStart: NOW.toISOString() });
    const both: ClockFacts = { ...facts, channels: { 'ApiCallRateInsight:Management': { basis: 'inferred' }, 'ApiErrorRateInsight:Management': { basis: 'inferred' } } };
    expect(insightsClock(both, NOW)).toMatchObject({ status: 'delivering' });
  });

  it('merges: ours when nobody else wrote, and the earliest tracking start of the three', () => {
    const ours: ClockFacts = { kind: 'trail', logging: 'on', channels: {}, trackedSince: T1 };
    expect(mergeClockFacts(undefined, ours, undefined)).toEqual(ours);
    const current: ClockFacts = { kind: 'trail', logging: 'off', loggingAt: NOW.toISOString(), channels: { 'ApiCallRateInsight:Management': { since: T0, basis: 'enabled' } }, trackedSince: T0, destination: 'x' };
    const merged = mergeClockFacts(undefined, ours, current);
    expect(merged).toMatchObject({ trackedSince: T0, destination: 'x', logging: 'on' });
  });
});

