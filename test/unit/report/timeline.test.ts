import type { InsightsClock } from '../../../lib/domain/insights-clock';
import { timelineOf } from '../../../lib/report/timeline';

const now = new Date('2026-11-21T12:00:00.000Z');
const channels = [{ channel: 'ApiCallRateInsight:Management', status: 'pending-first-delivery', basis: 'enabled' }] as InsightsClock['channels'];

describe('the Insights clock on the report\'s 7-day axis', () => {
  it('shows a trail pending for its 36 hours, then delivering', () => {
    const t = timelineOf({ status: 'pending-first-delivery', windowStart: now.toISOString(), windowEnd: '2026-11-23T00:00:00.000Z', channels }, now);
    expect(t.label).toBe('pending first delivery until 2026-11-23 00:00 UTC');
    expect(t.segments).toEqual([
      { state: 'pending', from: 0, to: 36 / 168 },
      { state: 'delivering', from: 36 / 168, to: 1 },
    ]);
  });

  it('shows an event data store pending across the whole axis: its window is the full 7 days', () => {
    const t = timelineOf({ status: 'pending-first-delivery', windowEnd: '2026-11-28T12:00:00.000Z', channels }, now);
    expect(t.segments).toEqual([{ state: 'pending', from: 0, to: 1 }]);
  });

  it('shows delivering and off as one bar each, and says why a clock is off', () => {
    expect(timelineOf({ status: 'delivering', channels }, now)).toEqual({ label: 'delivering', segments: [{ state: 'delivering', from: 0, to: 1 }] });
    expect(timelineOf({ status: 'off', channels: [] }, now).label).toBe('off: Insights not enabled');
    expect(timelineOf({ status: 'off', channels }, now).label).toBe('off: logging or ingestion stopped');
  });
});
