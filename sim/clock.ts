/**
 * The simulator's clock: real time by default, or moved by tests and the demo (e.g. past a 36-hour Insights window
 * or an event data store's 7-day deletion). Every timestamp and delayed transition reads it.
 */
export class SimClock {
  private offsetMs = 0;
  private frozenAt: number | undefined;

  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    return (this.frozenAt ?? Date.now()) + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Freezes time at `at` (later `advance` calls still move it). */
  freeze(at: Date = this.now()): void {
    this.frozenAt = at.getTime();
    this.offsetMs = 0;
  }
}

/**
 * CloudTrail's JSON timestamps: epoch seconds, a number
 * (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html; `com.amazonaws.cloudtrail#Date` sets no
 * timestampFormat).
 */
export const epochSeconds = (ms: number): number => ms / 1000;
