/**
 * A source's Insights clock laid out on a time axis for the report: from `now` to a horizon (7 days, the longest
 * delivery window), the stretch where delivery is pending and where Insights are expected to deliver, or off. Pure:
 * positions are fractions of the axis, and the label says it in words ("pending first delivery until T").
 */
import type { InsightsClock } from '../domain/insights-clock';
import { utcMinute } from '../domain/names';

export const TIMELINE_HORIZON_MS = 7 * 24 * 3_600_000;

export type SegmentState = 'off' | 'pending' | 'delivering';

export interface TimelineSegment {
  state: SegmentState;
  /** Fractions of the axis, 0 = now, 1 = now + horizon. */
  from: number;
  to: number;
}

export interface Timeline {
  label: string;
  segments: TimelineSegment[];
}

export function timelineOf(clock: InsightsClock, now: Date, horizonMs = TIMELINE_HORIZON_MS): Timeline {
  if (clock.status === 'off') return { label: clock.channels.length ? 'off: logging or ingestion stopped' : 'off: Insights not enabled', segments: [{ state: 'off', from: 0, to: 1 }] };
  if (clock.status === 'delivering') return { label: 'delivering', segments: [{ state: 'delivering', from: 0, to: 1 }] };
  const end = clock.windowEnd ? Date.parse(clock.windowEnd) : now.getTime() + horizonMs;
  const split = Math.min(1, Math.max(0, (end - now.getTime()) / horizonMs));
  return {
    label: `pending first delivery until ${clock.windowEnd ? utcMinute(clock.windowEnd) : 'unknown'}`,
    segments: [{ state: 'pending' as const, from: 0, to: split }, ...(split < 1 ? [{ state: 'delivering' as const, from: split, to: 1 }] : [])],
  };
}
