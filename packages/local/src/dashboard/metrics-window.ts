import type { Outcome, RefusalClass } from '@health-api/core';
import { LATENCY_METRIC, outcomeMetrics, refusalMetrics, REQUESTS_METRIC } from '@health-api/core';
import type { EmfOutput } from '@health-api/middleware';

export interface WindowOptions {
  /** How far back the window reaches; default 10 minutes. */
  windowSeconds?: number;
  /** Width of one bar of the charts; default 10 s. */
  bucketSeconds?: number;
  /** Latencies kept per bucket for the percentiles; later ones in the bucket are dropped. */
  maxSamplesPerBucket?: number;
  now?: () => number;
}

interface Bucket {
  start: number;
  requests: number;
  refusals: Record<RefusalClass, number>;
  outcomes: Record<Outcome, number>;
  latencies: number[];
  routes: Map<string, { requests: number; latencies: number[] }>;
}

export interface BucketView {
  start: number;
  requests: number;
  refusals: Record<RefusalClass, number>;
  outcomes: Record<Outcome, number>;
  latencyP50: number | null;
  latencyP99: number | null;
}

export interface MetricsSnapshot {
  now: number;
  windowSeconds: number;
  bucketSeconds: number;
  /** Oldest first, one per bucket of the window (empty ones included). */
  buckets: BucketView[];
  totals: { requests: number; refusals: Record<RefusalClass, number>; outcomes: Record<Outcome, number> };
  routes: Array<{ route: string; requests: number; latencyP50: number | null; latencyP99: number | null }>;
}

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const refusalClasses = Object.keys(refusalMetrics) as RefusalClass[];
const outcomes = Object.keys(outcomeMetrics) as Outcome[];
const classOfMetric = new Map<string, RefusalClass>(refusalClasses.map((c) => [refusalMetrics[c], c]));
const outcomeOfMetric = new Map<string, Outcome>(outcomes.map((o) => [outcomeMetrics[o], o]));

/** Nearest-rank percentile; null without samples. */
function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number) * 10) / 10;
}

/** The numbers an EMF metric holds: one value or a list. */
const valuesOf = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : [value]);

/**
 * The last minutes of the functions' EMF metrics, in fixed buckets, for the local dashboard.
 * Bounded: old buckets are dropped as time passes, and each bucket keeps at most
 * `maxSamplesPerBucket` latencies. Only the metric names and the route id are read.
 */
export class MetricsWindow {
  private readonly buckets = new Map<number, Bucket>();
  private readonly windowMs: number;
  private readonly bucketMs: number;
  private readonly maxSamples: number;
  private readonly now: () => number;
  /** Buckets leave the window one bucket width at a time: a record prunes at most once per width. */
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(options: WindowOptions = {}) {
    this.windowMs = (options.windowSeconds ?? 600) * 1000;
    this.bucketMs = (options.bucketSeconds ?? 10) * 1000;
    this.maxSamples = options.maxSamplesPerBucket ?? 1000;
    this.now = options.now ?? Date.now;
  }

  record(emf: EmfOutput): void {
    const start = Math.floor(emf._aws.Timestamp / this.bucketMs) * this.bucketMs;
    const now = this.now();
    if (now - this.prunedAt >= this.bucketMs) this.prune();
    if (start <= now - this.windowMs) return;
    let bucket = this.buckets.get(start);
    if (!bucket) {
      bucket = { start, requests: 0, refusals: zeros(refusalClasses), outcomes: zeros(outcomes), latencies: [], routes: new Map() };
      this.buckets.set(start, bucket);
    }
    const route = typeof emf.route === 'string' ? emf.route : 'unknown';
    let perRoute = bucket.routes.get(route);
    if (!perRoute) bucket.routes.set(route, perRoute = { requests: 0, latencies: [] });
    for (const directive of emf._aws.CloudWatchMetrics) {
      for (const { Name } of directive.Metrics) {
        for (const value of valuesOf(emf[Name])) {
          if (typeof value !== 'number') continue;
          if (Name === REQUESTS_METRIC) {
            bucket.requests += value;
            perRoute.requests += value;
          } else if (Name === LATENCY_METRIC) {
            if (bucket.latencies.length < this.maxSamples) bucket.latencies.push(value);
            if (perRoute.latencies.length < this.maxSamples) perRoute.latencies.push(value);
          } else if (classOfMetric.has(Name)) bucket.refusals[classOfMetric.get(Name) as RefusalClass] += value;
          else if (outcomeOfMetric.has(Name)) bucket.outcomes[outcomeOfMetric.get(Name) as Outcome] += value;
        }
      }
    }
  }

  snapshot(): MetricsSnapshot {
    this.prune();
    const now = this.now();
    const newest = Math.floor(now / this.bucketMs) * this.bucketMs;
    const count = Math.ceil(this.windowMs / this.bucketMs);
    const buckets: BucketView[] = [];
    const totals = { requests: 0, refusals: zeros(refusalClasses), outcomes: zeros(outcomes) };
    const routes = new Map<string, { requests: number; latencies: number[] }>();
    for (let i = count - 1; i >= 0; i -= 1) {
      const start = newest - i * this.bucketMs;
      const bucket = this.buckets.get(start);
      buckets.push({
        start,
        requests: bucket?.requests ?? 0,
        refusals: { ...(bucket?.refusals ?? zeros(refusalClasses)) },
        outcomes: { ...(bucket?.outcomes ?? zeros(outcomes)) },
        latencyP50: percentile(bucket?.latencies ?? [], 50),
        latencyP99: percentile(bucket?.latencies ?? [], 99),
      });
      if (!bucket) continue;
      totals.requests += bucket.requests;
      for (const c of refusalClasses) totals.refusals[c] += bucket.refusals[c];
      for (const o of outcomes) totals.outcomes[o] += bucket.outcomes[o];
      for (const [route, stats] of bucket.routes) {
        const sum = routes.get(route) ?? { requests: 0, latencies: [] };
        sum.requests += stats.requests;
        sum.latencies.push(...stats.latencies);
        routes.set(route, sum);
      }
    }
    return {
      now, windowSeconds: this.windowMs / 1000, bucketSeconds: this.bucketMs / 1000, buckets, totals,
      routes: [...routes].sort(([a], [b]) => a.localeCompare(b))
        .map(([route, stats]) => ({ route, requests: stats.requests, latencyP50: percentile(stats.latencies, 50), latencyP99: percentile(stats.latencies, 99) })),
    };
  }

  private prune(): void {
    this.prunedAt = this.now();
    const oldest = this.prunedAt - this.windowMs;
    for (const start of this.buckets.keys()) if (start + this.bucketMs <= oldest) this.buckets.delete(start);
  }
}
