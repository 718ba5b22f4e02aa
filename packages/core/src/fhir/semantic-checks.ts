/**
 * Rules a JSON schema cannot express: calendar dates that exist, and at most one `value[x]`.
 * Failures name the field, never the value.
 */
import { ApiError } from '../errors.js';
import type { ObservationCreate, PatientCreate } from './resources.js';
import { observationValueKeys } from './resources.js';

/** True when every date part present (year, month, day) names a real calendar date. */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(value);
  if (!match) return false;
  const [, year, month = '01', day = '01'] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  date.setUTCFullYear(Number(year)); // Date.UTC maps years 0–99 to 1900–1999
  return date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
}

function requireDates(fields: Array<[string, string | undefined]>): void {
  const bad = fields.filter(([, value]) => value !== undefined && !isCalendarDate(value)).map(([field]) => field);
  if (bad.length > 0) throw new ApiError('VALIDATION_FAILED', { fields: bad, reason: 'calendar' });
}

export function checkPatient(patient: PatientCreate): void {
  requireDates([['body.birthDate', patient.birthDate]]);
}

export function checkObservation(observation: ObservationCreate): void {
  requireDates([['body.effectiveDateTime', observation.effectiveDateTime], ['body.issued', observation.issued]]);
  if (observationValueKeys.filter((key) => observation[key] !== undefined).length > 1) {
    throw new ApiError('VALIDATION_FAILED', { fields: ['body.value[x]'], reason: 'several values' });
  }
}
