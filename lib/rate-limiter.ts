/**
 * Token buckets with a FIFO wait queue, and a registry of them per account and region: how the product stays inside
 * CloudTrail's per-account, per-region TPS quotas
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
  readsPerSecond: number;
  writesPerSecond: number;
}

/**
 * Defaults a little under CloudTrail's published 10 reads and 1 write per second per account and region (earlier
 * versions of https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html; the current
 * per-API values, listed at https://docs.aws.amazon.com/general/latest/gr/ct.html, are UNVERIFIED here), so network
 * jitter between our bucket and CloudTrail's never tips a request over.
 */
export const CLOUDTRAIL_BUDGET: Budget = { readsPerSecond: 8, writesPerSecond: 0.8 };

export class AccountRegionLimits {
  private readonly buckets = new Map<string, RateLimiter>();

  constructor(
    private readonly budget: Budget = CLOUDTRAIL_BUDGET,
    private readonly clock: RateLimiterClock = realTime,
  ) {}

  take(accountId: string, region: string, write: boolean): Promise<void> {
    return this.bucket(accountId, region, write).take();
  }

  /** A call made outside this process (seen in a CloudTrail event) `agoMs` ago counts against the same budget. */
  spentElsewhere(accountId: string, region: string, write: boolean, agoMs: number): void {
    this.bucket(accountId, region, write).spentElsewhere(agoMs);
  }

  private bucket(accountId: string, region: string, write: boolean): RateLimiter {
    const key = `${accountId}/${region}/${write ? 'w' : 'r'}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const rate = write ? this.budget.writesPerSecond : this.budget.readsPerSecond;
      bucket = new RateLimiter(rate, Math.max(1, Math.floor(rate)), this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}
