/**
 * The Insights delivery clock of a source
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-understanding.html, "Delivery of Insights
 * events"): after Insights are enabled, or re-enabled, or logging / ingestion is restarted, CloudTrail may take up to
 * 36 hours (trail) or 7 days (event data store) to deliver Insights. Until then a source is "pending first delivery",
 * not broken.
 *
 * Pure: `ClockFacts` are what the ledger stores per source; `applyClockEffect` is the reducer every CloudTrail call
 * and every planned action goes through; `reconcileClockFacts` fills in what was missed from observed state;
 * `insightsClock` reads the status at an instant.
 */
import { channelsOf, sortChannels, type Channel } from './insight-channels';
import type { InsightSelector, SourceKind, SourceState } from './model';

const HOUR = 3_600_000;
export const DELIVERY_WINDOW_MS: Readonly<Record<SourceKind, number>> = { trail: 36 * HOUR, eventDataStore: 7 * 24 * HOUR };

/**
 * How the start of a window is known: `enabled` / `restarted` were seen (an event or our own write);
 * `inferred` was reconstructed from observed state (a lower bound, or unknown when `since` is absent).
 */
export type WindowBasis = 'enabled' | 'restarted' | 'inferred';

export interface ChannelFact {
  /** ISO time the current delivery window began; absent when unknown (treated as long past). */
  since?: string;
  basis: WindowBasis;
  /** ISO time an Insights event of this channel was observed in the current window. */
  deliveredAt?: string;
}

export interface ClockFacts {
  kind: SourceKind;
  channels: Partial<Record<Channel, ChannelFact>>;
  /** Whether the trail is logging / the store is ingesting, as last known. Nothing is delivered while off. */
  logging?: 'on' | 'off';
  /**
   * When `logging` last changed, as seen (a call's event time, our write's time): events arrive late and out of order,
   * and a stop or start older than this changes nothing.
   */
  loggingAt?: string;
  /** Event data stores: the Insights destination the windows belong to. */
  destination?: string;
  /**
   * Since when the channel set has been tracked (first observed): a channel found on that the facts do not hold was
   * turned on since, unseen, so its window is dated when it is found (the conservative bound), not inferred as old.
   */
  trackedSince?: string;
}

export type ClockEffect =
  /** PutInsightSelectors: the full new channel set (and destination, for event data stores). */
  | { type: 'insightsSet'; channels: Channel[]; destination?: string }
  | { type: 'loggingStopped' }
  /**
   * StartLogging / StartEventDataStoreIngestion. Ingestion can only start from STOPPED_INGESTION, so it always
   * restarts; StartLogging restarts unless the trail is known to be logging already.
   */
  | { type: 'loggingStarted'; alwaysRestarts: boolean }
  | { type: 'insightsDelivered'; channels?: Channel[] }
  | { type: 'sourceDeleted' };

export const emptyClockFacts = (kind: SourceKind): ClockFacts => ({ kind, channels: {} });

export function applyClockEffect(facts: ClockFacts, effect: ClockEffect, at: string): ClockFacts {
  switch (effect.type) {
    case 'insightsSet': {
      // A new destination is a new delivery path: its windows start over (UNVERIFIED; see docs/rules.md).
      const destinationChanged = effect.destination !== undefined && facts.destination !== undefined && effect.destination !== facts.destination;
      const channels: ClockFacts['channels'] = {};
      for (const c of effect.channels) {
        const prior = facts.channels[c];
        channels[c] = prior && !destinationChanged ? prior : { since: at, basis: prior ? 'restarted' : 'enabled' };
      }
      // Events arrive late and out of order: a call older than a window the ledger saw begin (our own write, a later
      // event handled first) cannot have turned that window off.
      for (const c of Object.keys(facts.channels) as Channel[]) {
        const newer = facts.channels[c]!;
        if (!(c in channels) && !destinationChanged && newer.basis !== 'inferred' && newer.since !== undefined && newer.since > at) channels[c] = newer;
      }
      return { ...facts, channels: sortedChannels(channels), destination: effect.destination ?? facts.destination };
    }
    case 'loggingStopped':
      if (facts.loggingAt !== undefined && facts.loggingAt > at) return facts;
      return { ...facts, logging: 'off', loggingAt: at };
    case 'loggingStarted': {
      if (facts.loggingAt !== undefined && facts.loggingAt > at) return facts;
      if (!effect.alwaysRestarts && facts.logging === 'on') return facts;
      return { ...facts, logging: 'on', loggingAt: at, channels: restartAll(facts.channels, at) };
    }
    case 'insightsDelivered': {
      const channels = { ...facts.channels };
      for (const c of effect.channels ?? (Object.keys(channels) as Channel[])) {
        const fact = channels[c];
        if (fact && (fact.since === undefined || fact.since <= at)) channels[c] = { ...fact, deliveredAt: at };
      }
      return { ...facts, channels };
    }
    case 'sourceDeleted':
      return emptyClockFacts(facts.kind);
  }
}

/** Every window restarts at `at`, but one seen beginning later (enabled after that restart) keeps its later start. */
function restartAll(channels: ClockFacts['channels'], at: string): ClockFacts['channels'] {
  const out: ClockFacts['channels'] = {};
  for (const c of Object.keys(channels) as Channel[]) {
    const f = channels[c]!;
    out[c] = f.basis !== 'inferred' && f.since !== undefined && f.since > at ? f : { since: at, basis: 'restarted' };
  }
  return out;
}

/**
 * Logging for a trail, ingestion for a store. A store is "on" only when ENABLED
 * (`com.amazonaws.cloudtrail#EventDataStoreStatus`).
 */
export const isLoggingOn = (s: SourceState): boolean => (s.kind === 'trail' ? s.isLogging : s.status === 'ENABLED');

/**
 * Brings stored facts in line with what is observed, for changes whose events were missed (EventBridge is best
 * effort: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-delivery-level.html). Returns the
 * facts and whether they changed, so the ledger is written only when needed.
 */
export function reconcileClockFacts(stored: ClockFacts | undefined, state: SourceState, now: Date): { facts: ClockFacts; changed: boolean } {
  const at = now.toISOString();
  const before = stored ?? emptyClockFacts(state.kind);
  let facts: ClockFacts = { ...before, channels: { ...before.channels } };
  const observedOn = isLoggingOn(state);

  if (facts.logging === 'off' && observedOn) {
    // Restarted while we were not looking: the trail tells when; a store does not, so assume now (the later bound).
    const when = state.kind === 'trail' && state.startLoggingTime ? state.startLoggingTime : at;
    facts = { ...facts, logging: 'on', loggingAt: when, channels: restartAll(facts.channels, when) };
  } else if (facts.logging === 'on' && !observedOn) {
    const when = state.kind === 'trail' && state.stopLoggingTime ? state.stopLoggingTime : at;
    facts = { ...facts, logging: 'off', loggingAt: when };
  } else {
    facts.logging = observedOn ? 'on' : 'off';
  }

  const observed = channelsOf(state.insightSelectors);
  if (state.kind === 'eventDataStore' && state.insightsDestination !== undefined) {
    if (facts.destination !== undefined && facts.destination !== state.insightsDestination && observed.size > 0)
      facts.channels = restartAll(facts.channels, at);
    facts.destination = state.insightsDestination;
  }
  const channels: ClockFacts['channels'] = {};
  for (const c of sortChannels(observed)) channels[c] = facts.channels[c] ?? (facts.trackedSince !== undefined ? { since: at, basis: 'inferred' } : inferredWindow(state, now));
  facts.channels = channels;
  facts.trackedSince ??= at;
  return { facts, changed: JSON.stringify(facts) !== JSON.stringify(stored) };
}

/**
 * A channel found on without a record: a trail's window cannot have begun before logging last started
 * (a restart restarts it), so that is its lower bound when recent; otherwise the start is unknown.
 */
function inferredWindow(state: SourceState, now: Date): ChannelFact {
  if (state.kind === 'trail' && state.isLogging && state.startLoggingTime && Date.parse(state.startLoggingTime) <= now.getTime())
    return { since: state.startLoggingTime, basis: 'inferred' };
  return { basis: 'inferred' };
}

export type ClockStatus = 'off' | 'pending-first-delivery' | 'delivering';

export interface ChannelClock {
  channel: Channel;
  status: ClockStatus;
  basis: WindowBasis;
  since?: string;
  /** End of the delivery window: delivery is expected by then, provided unusual activity occurs. */
  until?: string;
  deliveredAt?: string;
}

export interface InsightsClock {
  status: ClockStatus;
  /** The window that decides the status: the latest-ending pending one, else the latest one. */
  windowStart?: string;
  windowEnd?: string;
  basis?: WindowBasis;
  channels: ChannelClock[];
}

export function insightsClock(facts: ClockFacts, now: Date): InsightsClock {
  const windowMs = DELIVERY_WINDOW_MS[facts.kind];
  const channels: ChannelClock[] = sortChannels(Object.keys(facts.channels) as Channel[]).map((c) => {
    const f = facts.channels[c]!;
    const until = f.since !== undefined ? new Date(Date.parse(f.since) + windowMs).toISOString() : undefined;
    const base = { channel: c, basis: f.basis, ...(f.since && { since: f.since }), ...(until && { until }), ...(f.deliveredAt && { deliveredAt: f.deliveredAt }) };
    if (facts.logging === 'off') return { ...base, status: 'off' as const };
    if (f.deliveredAt !== undefined || until === undefined || Date.parse(until) <= now.getTime()) return { ...base, status: 'delivering' as const };
    return { ...base, status: 'pending-first-delivery' as const };
  });
  if (channels.length === 0 || facts.logging === 'off') return { status: 'off', channels };
  const pending = channels.filter((c) => c.status === 'pending-first-delivery');
  const pick = (list: ChannelClock[]) => list.reduce((a, b) => ((b.until ?? '') > (a.until ?? '') ? b : a));
  const decisive = pick(pending.length > 0 ? pending : channels);
  return {
    status: pending.length > 0 ? 'pending-first-delivery' : 'delivering',
    ...(decisive.since && { windowStart: decisive.since }),
    ...(decisive.until && { windowEnd: decisive.until }),
    basis: decisive.basis,
    channels,
  };
}

type Params = Record<string, unknown> | null | undefined;

function insightSelectorsFromRecord(value: unknown): InsightSelector[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: InsightSelector[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) return undefined;
    const s = item as { insightType?: unknown; eventCategories?: unknown };
    if (s.insightType !== 'ApiCallRateInsight' && s.insightType !== 'ApiErrorRateInsight') continue;
    const cats = Array.isArray(s.eventCategories) ? s.eventCategories.filter((c): c is 'Management' | 'Data' => c === 'Management' || c === 'Data') : undefined;
    out.push({ InsightType: s.insightType, ...(cats && cats.length > 0 && { EventCategories: cats }) });
  }
  return out;
}

/**
 * What a successful CloudTrail API call does to the clock of the source it names, from its CloudTrail record
 * (lowerCamelCase requestParameters / responseElements, as in the example records of
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html). Calls that do not touch Insights
 * delivery (PutEventSelectors, UpdateTrail, UpdateEventDataStore, CreateTrail, CreateEventDataStore, ...) return
 * undefined.
 */
export function clockEffectOfApiCall(eventName: string, requestParameters: Params, responseElements: Params): ClockEffect | undefined {
  switch (eventName) {
    case 'PutInsightSelectors': {
      const selectors = insightSelectorsFromRecord(responseElements?.insightSelectors) ?? insightSelectorsFromRecord(requestParameters?.insightSelectors);
      if (!selectors) return undefined;
      const destination = responseElements?.insightsDestination ?? requestParameters?.insightsDestination;
      return { type: 'insightsSet', channels: sortChannels(channelsOf(selectors)), ...(typeof destination === 'string' && { destination }) };
    }
    case 'StopLogging':
    case 'StopEventDataStoreIngestion':
      return { type: 'loggingStopped' };
    case 'StartLogging':
      return { type: 'loggingStarted', alwaysRestarts: false };
    case 'StartEventDataStoreIngestion':
    // A restored store comes back from PENDING_DELETION; treat it as a restart (UNVERIFIED, docs/rules.md).
    case 'RestoreEventDataStore':
      return { type: 'loggingStarted', alwaysRestarts: true };
    case 'DeleteTrail':
    case 'DeleteEventDataStore':
      return { type: 'sourceDeleted' };
    default:
      return undefined;
  }
}

const sameFact = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Three-way merge of clock facts: `ours` was computed from `base` (read before a repair or a sweep), while the ledger
 * moved on to `current` (an Insights delivery observed, a call recorded by another invocation). What we changed wins;
 * what we left alone keeps the ledger's newer value, so neither writer's facts are lost. A delivery seen in a window
 * we did not restart survives our write; a window we restarted starts over with our time.
 */
export function mergeClockFacts(base: ClockFacts | undefined, ours: ClockFacts, current: ClockFacts | undefined): ClockFacts {
  if (current === undefined || sameFact(base, current)) return ours;
  const b = base ?? emptyClockFacts(ours.kind);
  const pick = <K extends 'destination'>(k: K): ClockFacts[K] => (sameFact(ours[k], b[k]) ? current[k] : ours[k]);
  const channels: ClockFacts['channels'] = {};
  for (const c of new Set([...Object.keys(b.channels), ...Object.keys(ours.channels), ...Object.keys(current.channels)]) as Set<Channel>) {
    const [o, was, now] = [ours.channels[c], b.channels[c], current.channels[c]];
    let fact: ChannelFact | undefined;
    if (sameFact(o, was)) fact = now; // we did not touch it
    else if (sameFact(now, was) || o === undefined) fact = o; // only we changed it, or we turned it off
    else {
      // Both changed it: ours stands, with a delivery the other writer saw if it came within our window (a window we
      // restarted after it starts over, as applyClockEffect's insightsDelivered has it).
      const seen = now?.deliveredAt !== undefined && (o.since === undefined || o.since <= now.deliveredAt) ? now.deliveredAt : undefined;
      const deliveredAt = latest(o.deliveredAt, seen);
      fact = { ...o, ...(deliveredAt && { deliveredAt }) };
    }
    if (fact) channels[c] = fact;
  }
  // The logging state and the time it changed travel together.
  const loggingFrom = sameFact(ours.logging, b.logging) && sameFact(ours.loggingAt, b.loggingAt) ? current : ours;
  const { logging, loggingAt } = loggingFrom;
  const destination = pick('destination');
  const trackedSince = [b.trackedSince, ours.trackedSince, current.trackedSince].filter((x): x is string => x !== undefined).sort()[0];
  return {
    kind: ours.kind,
    channels: sortedChannels(channels),
    ...(logging !== undefined && { logging }),
    ...(loggingAt !== undefined && { loggingAt }),
    ...(destination !== undefined && { destination }),
    ...(trackedSince !== undefined && { trackedSince }),
  };
}

const latest = (a: string | undefined, b: string | undefined): string | undefined => (a === undefined ? b : b === undefined ? a : a > b ? a : b);

function sortedChannels(channels: ClockFacts['channels']): ClockFacts['channels'] {
  const out: ClockFacts['channels'] = {};
  for (const c of sortChannels(Object.keys(channels) as Channel[])) out[c] = channels[c]!;
  return out;
}
