import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCalendarDate } from './semantic-checks.js';

describe('isCalendarDate', () => {
  it.each(['2024', '2024-02', '2024-02-29', '2000-02-29', '0001-01-01', '2024-12-31T23:59:59Z'])('accepts %s', (value) => {
    expect(isCalendarDate(value)).toBe(true);
  });

  it.each(['2023-02-29', '1900-02-29', '2024-04-31', '2024-13', '2024-00-10', '2024-01-00'])('refuses %s', (value) => {
    expect(isCalendarDate(value)).toBe(false);
  });

  it('property: agrees with the calendar for every day of years 1–9999', () => {
    fc.assert(fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }), (date) => {
      expect(isCalendarDate(date.toISOString().slice(0, 10))).toBe(true);
    }));
  });
});
