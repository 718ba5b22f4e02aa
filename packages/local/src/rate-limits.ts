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

/** Requests per key over a sliding window, as WAF's rate-based rule counts per source IP. */
export class SlidingWindowCounter {
  private readonly seen = new Map<string, number[]>();

  constructor(private readonly limit: number, private readonly windowMs: number) {}

  take(key: string, now = Date.now()): number {
    const recent = (this.seen.get(key) ?? []).filter((at) => at > now - this.windowMs);
    recent.push(now);
    if (recent.length > this.limit + 1) recent.shift(); // the oldest beyond the limit no longer matters
    this.seen.set(key, recent);
    return recent.length > this.limit ? (recent[0] as number) + this.windowMs - now : 0;
  }
}
