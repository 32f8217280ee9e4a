/**
 * Token buckets with a FIFO wait queue, and a registry of them per account and region (writes per API too): how the
 * product stays inside CloudTrail's per-account, per-region, per-API TPS quotas
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html) instead of provoking
 * throttling storms and leaning on retries. Time and sleeping are injectable for tests.
 */

export interface RateLimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realTime: RateLimiterClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class RateLimiter {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  /** `perSecond` tokens a second, at most `burst` saved up (default: one second's worth, at least 1). */
  constructor(
    private readonly perSecond: number,
    private readonly burst = Math.max(1, perSecond),
    private readonly clock: RateLimiterClock = realTime,
  ) {
    if (!(perSecond > 0)) throw new Error(`RateLimiter: perSecond must be positive, got ${perSecond}`);
    this.tokens = this.burst;
    this.last = clock.now();
  }

  /** Resolves when the caller may make one request; callers are served in arrival order. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Someone else's request spent this budget `agoMs` ago (a user's write that the event being handled reports): the
   * bucket holds at most what it had left after that request plus what it has earned since.
   */
  spentElsewhere(agoMs: number): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond, this.burst - 1 + (Math.max(0, agoMs) / 1000) * this.perSecond);
    this.last = now;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(((1 - this.tokens) / this.perSecond) * 1000);
    }
  }
}

export interface Budget {
  /** Reads per second per account and region, all read APIs together. */
  readsPerSecond: number;
  /** Writes per second per account, region and API. */
  writesPerSecond: number;
}

/**
 * A little under CloudTrail's quotas, so network jitter between our bucket and CloudTrail's never tips a request over.
 * Quotas in AWS CloudTrail (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html)
 * lists them per API, per account and Region: "Get, describe, and list APIs: 10 transactions per second (TPS)",
 * "LookupEvents API: 2 TPS", "ListInsightsMetricData API: 1 TPS", "All other APIs: 1 TPS", each "the maximum number
 * of operation requests you can make per second without being throttled"; the current page moves the values to the
 * General Reference (https://docs.aws.amazon.com/general/latest/gr/ct.html#limits_cloudtrail), where Service Quotas
 * holds one quota code per API (PutInsightSelectors, StartLogging, PutEventSelectors, UpdateEventDataStore, ... each
 * its own). So writes are paced per API: the repair's StartLogging does not wait for the second the user's StopLogging
 * spent, only a repeat of the same API does. Reads stay one shared 8 per second, under every read API's 10 (the product
 * reads a few APIs in turn; sharing keeps it simple and never above any one API's quota).
 */
export const CLOUDTRAIL_BUDGET: Budget = { readsPerSecond: 8, writesPerSecond: 0.8 };

export class AccountRegionLimits {
  private readonly buckets = new Map<string, RateLimiter>();

  constructor(
    private readonly budget: Budget = CLOUDTRAIL_BUDGET,
    private readonly clock: RateLimiterClock = realTime,
  ) {}

  /** Waits for the budget of one call: reads share the account-region's; a write spends its API's (`operation`). */
  take(accountId: string, region: string, write: boolean, operation = ''): Promise<void> {
    return this.bucket(accountId, region, write, operation).take();
  }

  /** A call made outside this process (seen in a CloudTrail event) `agoMs` ago counts against the same budget. */
  spentElsewhere(accountId: string, region: string, write: boolean, agoMs: number, operation = ''): void {
    this.bucket(accountId, region, write, operation).spentElsewhere(agoMs);
  }

  private bucket(accountId: string, region: string, write: boolean, operation: string): RateLimiter {
    const key = write ? `${accountId}/${region}/w/${operation}` : `${accountId}/${region}/r`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const rate = write ? this.budget.writesPerSecond : this.budget.readsPerSecond;
      bucket = new RateLimiter(rate, Math.max(1, Math.floor(rate)), this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}
