import { describe, expect, it } from 'vitest';
import { apiMetricNames, outcomeOf, refusalClassOf, refusalMetrics } from './api-metrics.js';
import type { RefusalClass } from './api-metrics.js';
import { errorCodes } from './errors.js';

describe('refusal classes of the error codes', () => {
  it('gives each class at least one code or reason, so each metric can be emitted', () => {
    const reached = new Set<RefusalClass | null>(errorCodes.map((code) => refusalClassOf(code)));
    reached.add(refusalClassOf('SERVICE_UNAVAILABLE', 'audit-write-failed'));
    reached.add(refusalClassOf('SERVICE_UNAVAILABLE', 'dependency-throttled'));
    for (const name of Object.keys(refusalMetrics) as RefusalClass[]) expect(reached).toContain(name);
  });

  it.each([
    ['MISSING_TOKEN', undefined, 'authentication-failed'],
    ['INVALID_TOKEN', undefined, 'authentication-failed'],
    ['INSUFFICIENT_SCOPE', undefined, 'scope-denied'],
    ['VALIDATION_FAILED', undefined, 'validation-failed'],
    ['IDEMPOTENCY_KEY_REUSED', undefined, 'idempotency-conflict'],
    ['SERVICE_UNAVAILABLE', 'audit-intent-failed', 'audit-write-failed'],
    ['SERVICE_UNAVAILABLE', 'dependency-throttled', 'throttled'],
    ['SERVICE_UNAVAILABLE', 'dependency-transient', 'dependency-unavailable'],
    ['SERVICE_UNAVAILABLE', 'dependency-issuer-unavailable', 'dependency-unavailable'],
    ['NOT_FOUND', undefined, null],
    ['INTERNAL_ERROR', undefined, null],
  ] as const)('%s (%s) is %s', (code, reason, expected) => {
    expect(refusalClassOf(code, reason)).toBe(expected);
  });

  it('names each outcome by status class', () => {
    expect([200, 201, 304, 400, 429, 500, 503].map(outcomeOf))
      .toEqual(['success', 'success', 'success', 'client-error', 'client-error', 'server-error', 'server-error']);
  });

  it('lists every metric name once', () => {
    expect(new Set(apiMetricNames).size).toBe(apiMetricNames.length);
  });
});
