import { describe, expect, it } from 'vitest';
import { QuotaCounter, SlidingWindowCounter, TokenBucket, nextPeriodStart } from './rate-limits.js';

describe('TokenBucket', () => {
  it('admits a burst, then refills at the rate', () => {
    const bucket = new TokenBucket({ rateLimit: 2, burstLimit: 3 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
    expect(bucket.take(0)).toBe(500); // one token every 500 ms
    expect(bucket.take(500)).toBe(0);
    expect(bucket.take(500)).toBeGreaterThan(0);
    expect([bucket.take(10_000), bucket.take(10_000), bucket.take(10_000), bucket.take(10_000) > 0]).toEqual([0, 0, 0, true]);
  });
});

describe('QuotaCounter', () => {
  it('admits the limit per period and says when the next period starts', () => {
    const start = Date.UTC(2026, 10, 24, 23, 0);
    const quota = new QuotaCounter({ limit: 2, period: 'DAY' }, start);
    expect([quota.take(start), quota.take(start)]).toEqual([0, 0]);
    expect(quota.take(start)).toBe(60 * 60 * 1000);
    expect(quota.take(Date.UTC(2026, 10, 25))).toBe(0);
  });

  it('computes UTC day, Monday-week and month boundaries', () => {
    const wednesday = Date.UTC(2026, 10, 25, 12);
    expect(nextPeriodStart('DAY', wednesday)).toBe(Date.UTC(2026, 10, 26));
    expect(nextPeriodStart('WEEK', wednesday)).toBe(Date.UTC(2026, 10, 30));
    expect(nextPeriodStart('WEEK', Date.UTC(2026, 10, 30, 1))).toBe(Date.UTC(2026, 11, 7));
    expect(nextPeriodStart('MONTH', Date.UTC(2026, 11, 31))).toBe(Date.UTC(2027, 0, 1));
  });
});

describe('SlidingWindowCounter', () => {
  it('counts per key over the window', () => {
    const window = new SlidingWindowCounter(2, 1000);
    expect([window.take('a', 0), window.take('a', 100), window.take('b', 100)]).toEqual([0, 0, 0]);
    expect(window.take('a', 200)).toBe(800);
    expect(window.take('a', 1150)).toBe(0); // the requests at 0 and 100 have left the window
  });
});
