import { describe, expect, it } from 'vitest';
import { dateKey, dateRange, observationSearchSk } from './search-keys.js';

const inRange = (key: string, [from, to]: [string, string]) => key >= from && key <= to;

describe('observation date search keys', () => {
  const day = observationSearchSk('2024-02-01', 'a');
  const time = observationSearchSk('2024-02-01T10:00:00+13:00', 'b'); // 2024-01-31T21:00Z
  const march = observationSearchSk('2024-03-05T00:00:00Z', 'c');
  const undated = observationSearchSk(undefined, 'd');

  it('keeps times in UTC so string order is time order', () => {
    expect(dateKey('2024-02-01T10:00:00+13:00')).toBe('2024-01-31T21:00:00.000Z');
  });

  it('reads gt and le as the whole period the date names', () => {
    expect(inRange(march, dateRange('gt', '2024-02'))).toBe(true);
    expect(inRange(day, dateRange('gt', '2024-02'))).toBe(false);
    expect(inRange(day, dateRange('le', '2024-02'))).toBe(true);
    expect(inRange(march, dateRange('le', '2024-02'))).toBe(false);
  });

  it('matches ge, lt and eq at their edges', () => {
    expect(inRange(day, dateRange('ge', '2024-02-01'))).toBe(true);
    expect(inRange(time, dateRange('ge', '2024-02-01'))).toBe(false);
    expect(inRange(time, dateRange('lt', '2024-02-01'))).toBe(true);
    expect(inRange(day, dateRange('lt', '2024-02-01'))).toBe(false);
    expect(inRange(day, dateRange('eq', '2024-02-01'))).toBe(true);
    expect(inRange(march, dateRange('eq', '2024-02-01'))).toBe(false);
  });

  it('never matches an Observation without an effective time', () => {
    for (const prefix of ['eq', 'ge', 'gt', 'le', 'lt'] as const) expect(inRange(undated, dateRange(prefix, '2024-01-01'))).toBe(false);
  });
});
