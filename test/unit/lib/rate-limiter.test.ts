import { AccountRegionLimits, RateLimiter, type RateLimiterClock } from '../../../lib/rate-limiter';

/** Virtual time: sleeping advances it, so the test observes exactly when each request was let through. */
function virtualClock(): RateLimiterClock & { t: number } {
  const c = { t: 0, now: () => c.t, sleep: async (ms: number) => void (c.t += ms) };
  return c;
}

describe('RateLimiter', () => {
  it('lets a burst through, then paces requests at the rate, in arrival order', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(2, 2, clock);
    const times: number[] = [];
    await Promise.all(Array.from({ length: 6 }, async () => {
      await limiter.take();
      times.push(Math.round(clock.t));
    }));
    expect(times).toEqual([0, 0, 500, 1000, 1500, 2000]);
  });

  it('never lets more than one write a second through for a 1-per-second budget', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(1, 1, clock);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.take();
      times.push(Math.round(clock.t));
    }
    expect(times).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('counts a write someone else made moments ago: the next one waits out the rest of its second', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(1, 1, clock);
    clock.t = 10_000; // the bucket is full
    limiter.spentElsewhere(200);
    await limiter.take();
    expect(Math.round(clock.t)).toBe(10_800);
    limiter.spentElsewhere(5_000); // long enough ago: it costs nothing
    clock.t += 1000;
    const before = clock.t;
    await limiter.take();
    expect(clock.t).toBe(before);
  });

  it('rejects a rate that is not positive', () => {
    expect(() => new RateLimiter(0)).toThrow(/perSecond must be positive/);
  });
});

describe('AccountRegionLimits', () => {
  it('paces writes per API, as CloudTrail\'s quotas are: another API\'s write does not wait, the same API\'s does', async () => {
    const clock = virtualClock();
    const limits = new AccountRegionLimits({ readsPerSecond: 10, writesPerSecond: 1 }, clock);
    limits.spentElsewhere('a', 'us-east-1', true, 0, 'StopLogging'); // the user's call, just now
    await limits.take('a', 'us-east-1', true, 'StartLogging');
    await limits.take('a', 'us-east-1', true, 'PutInsightSelectors');
    expect(clock.t).toBe(0);
    await limits.take('a', 'us-east-1', true, 'StopLogging');
    expect(clock.t).toBe(1000);
    await limits.take('a', 'us-east-1', true, 'PutInsightSelectors');
    expect(clock.t).toBe(1000); // its second came while StopLogging waited
    await limits.take('a', 'us-east-1', true, 'PutInsightSelectors');
    expect(clock.t).toBe(2000);
  });


  it('keeps separate read and write budgets per account and region', async () => {
    const clock = virtualClock();
    const limits = new AccountRegionLimits({ readsPerSecond: 10, writesPerSecond: 1 }, clock);
    await limits.take('a', 'us-east-1', true);
    await limits.take('a', 'eu-west-1', true);
    await limits.take('b', 'us-east-1', true);
    for (let i = 0; i < 10; i++) await limits.take('a', 'us-east-1', false);
    expect(clock.t).toBe(0);
    await limits.take('a', 'us-east-1', true);
    expect(clock.t).toBe(1000);
  });
});
