import { describe, expect, it } from 'vitest';
import { dpopMarkdown, runDpopBench } from './dpop.js';

// Keeps the DPoP section from rotting; its smoke timings mean nothing and nothing asserts on them.
describe('DPoP bench smoke run', () => {
  it('measures the bearer and DPoP chains side by side and yields their ratio', async () => {
    const result = await runDpopBench('smoke');
    for (const value of [result.ratio.p50, result.ratio.p99, result.extraUs.p50, result.proofAlone.p50Us]) expect(Number.isFinite(value)).toBe(true);
    expect(result.dpop.samples).toBeGreaterThan(0);
    expect(dpopMarkdown(result)).toContain('A DPoP proof adds');
  }, 120_000);
});
