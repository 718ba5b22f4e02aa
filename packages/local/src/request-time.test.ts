import fc from 'fast-check';
import { expect, it } from 'vitest';
import { clfTime, isoTime } from './request-time.js';

it('writes the ISO time as Date#toISOString does, second after second and back', () => {
  const epoch = fc.integer({ min: -62_000_000_000_000, max: 253_000_000_000_000 });
  fc.assert(fc.property(fc.array(epoch, { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 2500 }), (starts, step) => {
    // Runs of nearby times (one cached second, then the next) and jumps in both directions.
    for (const start of starts) for (const at of [start, start + step, start + 2 * step]) expect(isoTime(at)).toBe(new Date(at).toISOString());
  }), { numRuns: 2000 });
});

it("writes API Gateway's requestTime in the common log format, in UTC", () => {
  expect(clfTime(Date.UTC(2026, 10, 24, 6, 55, 2, 999))).toBe('24/Nov/2026:06:55:02 +0000');
  expect(clfTime(Date.UTC(2026, 10, 24, 6, 55, 3, 0))).toBe('24/Nov/2026:06:55:03 +0000');
});
