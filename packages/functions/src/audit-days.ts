/**
 * The days of the audit trail a FHIR `date` search covers. The trail is kept per UTC day, so a
 * date search is answered a day at a time, newest first; a time narrows to its day.
 */
import type { DatePrefix } from '@health-api/core';

/** How far back an open-ended search reaches: the trail's retention. */
export const AUDIT_SEARCH_YEARS = 10;

const DAY_MS = 24 * 60 * 60 * 1000;
const iso = (time: number) => new Date(time).toISOString().slice(0, 10);
const startOf = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** The first and last day a date value names at its own precision (a time names its UTC day). */
function period(value: string): [string, string] {
  if (value.includes('T')) {
    const day = iso(Date.parse(value));
    return [day, day];
  }
  const [year, month, day] = value.split('-').map(Number) as [number, number | undefined, number | undefined];
  if (day !== undefined) return [value, value];
  if (month !== undefined) return [`${value}-01`, iso(Date.UTC(year, month, 0))];
  return [`${value}-01-01`, `${value}-12-31`];
}

export interface AuditDays {
  newest: string;
  oldest: string;
  /** Days inside the range that are not searched (`ne`). */
  except: Array<[string, string]>;
}

const dayBefore = (day: string) => iso(startOf(day) - DAY_MS);
const dayAfter = (day: string) => iso(startOf(day) + DAY_MS);

/** The days `date=<prefix><value>` covers, within the trail's retention and not after today. */
export function auditDays(prefix: DatePrefix, value: string, today = iso(Date.now())): AuditDays {
  const floor = `${Number(today.slice(0, 4)) - AUDIT_SEARCH_YEARS}${today.slice(4)}`;
  const [first, last] = period(value);
  const within = (oldest: string, newest: string): AuditDays => ({ newest: newest > today ? today : newest, oldest: oldest < floor ? floor : oldest, except: [] });
  switch (prefix) {
    case 'eq': case 'ap': return within(first, last);
    case 'ne': return { ...within(floor, today), except: [[first, last]] };
    case 'gt': case 'sa': return within(dayAfter(last), today);
    case 'ge': return within(first, today);
    case 'lt': case 'eb': return within(floor, dayBefore(first));
    case 'le': return within(floor, last);
  }
}

/** The days every one of several date parameters covers (FHIR ANDs repeated parameters). */
export function allOf(ranges: readonly AuditDays[]): AuditDays {
  return ranges.reduce((a, b) => ({
    newest: a.newest < b.newest ? a.newest : b.newest,
    oldest: a.oldest > b.oldest ? a.oldest : b.oldest,
    except: [...a.except, ...b.except],
  }));
}

/** `day`, or the newest day before it that no exclusion covers. */
function notExcluded(days: AuditDays, day: string): string {
  const covering = days.except.find(([from, to]) => day >= from && day <= to);
  return covering ? notExcluded(days, dayBefore(covering[0])) : day;
}

/** The first day searched (the newest), or undefined when the range is empty. */
export function firstDay(days: AuditDays): string | undefined {
  const day = notExcluded(days, days.newest);
  return day < days.oldest ? undefined : day;
}

/** The day searched after `day`, going back in time, or undefined when the range is done. */
export function previousDay(days: AuditDays, day: string): string | undefined {
  const next = notExcluded(days, dayBefore(day));
  return next < days.oldest ? undefined : next;
}
