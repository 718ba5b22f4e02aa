import type { QuotaPeriod, Throttle } from '@health-api/core';

/**
 * The counters behind API Gateway's throttles and quotas and WAF's rate-based rule. Each
 * `take` admits one request (returns 0) or refuses it and says how many milliseconds until it
 * would be admitted, for `Retry-After`.
 */

/** Token bucket: `burstLimit` tokens, refilled at `rateLimit` per second. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(private readonly throttle: Throttle, now = Date.now()) {
    this.tokens = throttle.burstLimit;
    this.updatedAt = now;
  }

  take(now = Date.now()): number {
    const { rateLimit, burstLimit } = this.throttle;
    this.tokens = Math.min(burstLimit, this.tokens + ((now - this.updatedAt) / 1000) * rateLimit);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return rateLimit > 0 ? Math.ceil(((1 - this.tokens) / rateLimit) * 1000) : Number.POSITIVE_INFINITY;
  }
}

/** Start of the quota period after the one holding `now`, in UTC (weeks start on Monday). */
export function nextPeriodStart(period: QuotaPeriod, now: number): number {
  const date = new Date(now);
  const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
  if (period === 'DAY') return Date.UTC(y, m, d + 1);
  if (period === 'WEEK') return Date.UTC(y, m, d + 7 - ((date.getUTCDay() + 6) % 7));
  return Date.UTC(y, m + 1, 1);
}

/** Requests per calendar period, reset when the next period starts. */
export class QuotaCounter {
  private used = 0;
  private resetAt: number;

  constructor(private readonly quota: { limit: number; period: QuotaPeriod }, now = Date.now()) {
    this.resetAt = nextPeriodStart(quota.period, now);
  }

  take(now = Date.now()): number {
    if (now >= this.resetAt) {
      this.used = 0;
      this.resetAt = nextPeriodStart(this.quota.period, now);
    }
    if (this.used >= this.quota.limit) return this.resetAt - now;
    this.used += 1;
    return 0;
  }
}

/** Slices a window is cut into: the count is exact to 1/60 of the window, at constant cost. */
const SLICES = 60;

/**
 * Requests per key over a sliding window, as WAF's rate-based rule counts per source IP. Counts
 * live in a ring of time slices, so a request costs the same however many came before it.
 */
export class SlidingWindowCounter {
  private readonly rings = new Map<string, { slice: number; counts: number[]; total: number }>();
  constructor(private readonly limit: number, private readonly windowMs: number) {}

  take(key: string, now = Date.now()): number {
    const slice = Math.floor((now * SLICES) / this.windowMs);
    let ring = this.rings.get(key);
    if (!ring) {
      ring = { slice, counts: new Array<number>(SLICES).fill(0), total: 0 };
      this.rings.set(key, ring);
    }
    // Empty the slices that have left the window since this key was last seen.
    for (let s = ring.slice + 1; s <= Math.min(slice, ring.slice + SLICES); s += 1) {
      ring.total -= ring.counts[s % SLICES] as number;
      ring.counts[s % SLICES] = 0;
    }
    ring.slice = Math.max(ring.slice, slice);
    ring.counts[slice % SLICES] = (ring.counts[slice % SLICES] as number) + 1;
    ring.total += 1;
    if (ring.total <= this.limit) return 0;
    // Refused: admitted again once the oldest counted slice leaves the window.
    let oldest = slice - SLICES + 1;
    while ((ring.counts[((oldest % SLICES) + SLICES) % SLICES] as number) === 0) oldest += 1;
    return Math.ceil(((oldest + SLICES) * this.windowMs) / SLICES - now);
  }
}
