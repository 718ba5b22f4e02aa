/**
 * The short load run CI does inside `npm test` (LOAD_SECONDS, default 5): the same phases and
 * consistency check as `npm run load`, asserting behaviour only, never timing.
 */
import { describe, expect, it } from 'vitest';
import { FULL_LOAD, runLoad } from './load.js';

const seconds = Number(process.env.LOAD_SECONDS ?? 5);

describe('load, short', () => {
  it('serves mixed traffic and a burst with nothing lost, duplicated or half-written', { timeout: (seconds + 90) * 1000 }, async () => {
    const report = await runLoad({ ...FULL_LOAD, seconds });
    expect(report.check).toMatchObject({ passed: true, mismatched: [], unexpected5xx: {}, unexplainedResources: 0, missingIdempotencyRecords: 0, missingAuditRecords: 0, missingIntentRecords: 0, auditChainFaults: 0 });
    expect(report.check.created).toBeGreaterThan(0);
    expect(report.check.readBackIdentical).toBe(report.check.created);
    expect(report.mixed.statusCounts['201']).toBeGreaterThan(0);
    expect(report.mixed.errors).toBe(0);
    // The burst is far past the plan's bucket of 100: the gateway refuses the excess with 429.
    expect(report.burst.statusCounts['429']).toBeGreaterThan(0);
    expect(Object.keys(report.burst.statusCounts).sort()).toEqual(['200', '429']);
  });
});
