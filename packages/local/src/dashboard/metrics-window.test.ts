import type { EmfOutput } from '@health-api/middleware';
import { describe, expect, it } from 'vitest';
import { MetricsWindow } from './metrics-window.js';

/** An EMF document as the metrics middleware flushes it. */
const emf = (timestamp: number, route: string, metrics: Record<string, number>): EmfOutput => ({
  _aws: {
    Timestamp: timestamp,
    CloudWatchMetrics: [{ Namespace: 'secure-health-api/local', Dimensions: [['service', 'route']], Metrics: Object.keys(metrics).map((Name) => ({ Name, Unit: 'Count' })) }],
  },
  service: 'secure-health-api',
  route,
  ...metrics,
});

describe('metrics window of the local dashboard', () => {
  it('sums counts by outcome and refusal class, and latency percentiles per bucket and route', () => {
    let now = 100_000;
    const window = new MetricsWindow({ windowSeconds: 60, bucketSeconds: 10, now: () => now });
    for (let i = 1; i <= 10; i += 1) window.record(emf(now, 'patient-read', { Requests: 1, ClientErrors: 1, AuthenticationFailed: 1, Latency: i }));
    window.record(emf(now, 'metadata', { Requests: 1, Succeeded: 1, Latency: 100 }));
    now += 1_000;
    const snapshot = window.snapshot();
    expect(snapshot.buckets).toHaveLength(6);
    expect(snapshot.totals).toEqual({
      requests: 11,
      outcomes: { success: 1, 'client-error': 10, 'server-error': 0 },
      refusals: { 'authentication-failed': 10, 'scope-denied': 0, 'validation-failed': 0, throttled: 0, 'idempotency-conflict': 0, 'audit-write-failed': 0, 'dependency-unavailable': 0 },
    });
    expect(snapshot.buckets.at(-1)).toMatchObject({ requests: 11, latencyP50: 6, latencyP99: 100 });
    expect(snapshot.routes).toEqual([
      { route: 'metadata', requests: 1, latencyP50: 100, latencyP99: 100 },
      { route: 'patient-read', requests: 10, latencyP50: 5, latencyP99: 10 },
    ]);
  });

  it('forgets what is older than the window, and keeps a bounded number of latency samples', () => {
    let now = 0;
    const window = new MetricsWindow({ windowSeconds: 30, bucketSeconds: 10, maxSamplesPerBucket: 5, now: () => now });
    for (let i = 0; i < 50; i += 1) window.record(emf(now, 'patient-read', { Requests: 1, Latency: i }));
    expect(window.snapshot().totals.requests).toBe(50);
    expect(window.snapshot().buckets.at(-1)?.latencyP99).toBe(4); // only the first 5 samples were kept
    now = 45_000;
    window.record(emf(1_000, 'patient-read', { Requests: 1 })); // too old to count
    expect(window.snapshot().totals.requests).toBe(0);
    expect(window.snapshot().buckets.every((b) => b.requests === 0)).toBe(true);
  });
});
