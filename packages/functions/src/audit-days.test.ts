import { describe, expect, it } from 'vitest';
import { allOf, auditDays, firstDay, previousDay } from './audit-days.js';
import type { AuditDays } from './audit-days.js';

const TODAY = '2026-12-06';
/** Every day a range visits, newest first. */
function walk(days: AuditDays): string[] {
  const seen: string[] = [];
  for (let day = firstDay(days); day !== undefined && seen.length < 5000; day = previousDay(days, day)) seen.push(day);
  return seen;
}

describe('audit days of a date search', () => {
  it.each([
    ['eq', '2026-12-01', ['2026-12-01']],
    ['eq', '2026-02', Array.from({ length: 28 }, (_, i) => `2026-02-${String(28 - i).padStart(2, '0')}`)],
    ['ap', '2026-12-01T23:30:00-02:00', ['2026-12-02']],
    ['gt', '2026-12-03', ['2026-12-06', '2026-12-05', '2026-12-04']],
    ['sa', '2026-12-03', ['2026-12-06', '2026-12-05', '2026-12-04']],
    ['ge', '2026-12-05', ['2026-12-06', '2026-12-05']],
    ['ge', '2027-01-01', []],
    ['eq', '2026-12-31', []],
  ] as const)('%s%s', (prefix, value, expected) => {
    expect(walk(auditDays(prefix, value, TODAY))).toEqual(expected);
  });

  it('reaches back to the retention for open ranges, and skips the excluded days of ne', () => {
    const before = walk(auditDays('lt', '2026-12-05', TODAY));
    expect([before[0], before.at(-1)]).toEqual(['2026-12-04', '2016-12-06']);
    expect(walk(auditDays('le', '2026-12-05', TODAY))[0]).toBe('2026-12-05');
    expect(walk(auditDays('eb', '2026-12-05', TODAY))[0]).toBe('2026-12-04');
    const notNovember = walk(auditDays('ne', '2026-11', TODAY));
    expect(notNovember.slice(0, 7)).toEqual(['2026-12-06', '2026-12-05', '2026-12-04', '2026-12-03', '2026-12-02', '2026-12-01', '2026-10-31']);
    expect(notNovember.some((day) => day.startsWith('2026-11'))).toBe(false);
  });

  it('intersects repeated date parameters, exclusions included', () => {
    const range = allOf([auditDays('ge', '2026-11-28', TODAY), auditDays('le', '2026-12-03', TODAY), auditDays('ne', '2026-12-01', TODAY), auditDays('ne', '2026-11-30', TODAY)]);
    expect(walk(range)).toEqual(['2026-12-03', '2026-12-02', '2026-11-29', '2026-11-28']);
    expect(walk(allOf([auditDays('gt', '2026-12-03', TODAY), auditDays('lt', '2026-12-02', TODAY)]))).toEqual([]);
  });
});
