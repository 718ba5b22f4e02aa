/**
 * The gateway's request timestamps, formatted once per second: every request of that second
 * shares the text, and the ISO form only appends its milliseconds.
 */

let clfSecond = Number.NaN;
let clfText = '';

/** `24/Nov/2026:06:55:02 +0000`, API Gateway's `requestTime` in the proxy event. */
export function clfTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== clfSecond) {
    const [, day, month, year, time] = new Date(second * 1000).toUTCString().split(' ') as string[];
    clfText = `${day}/${month}/${year}:${time} +0000`;
    clfSecond = second;
  }
  return clfText;
}

/** `000Z` … `999Z`. */
const MILLISECONDS = Array.from({ length: 1000 }, (_, ms) => `${String(ms).padStart(3, '0')}Z`);

let isoSecond = Number.NaN;
let isoPrefix = '';

/** `2026-11-24T06:55:02.123Z` for integer epoch milliseconds (`Date.now()`), as `Date#toISOString` writes it: the access log's `requestTime`. */
export function isoTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== isoSecond) {
    isoPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    isoSecond = second;
  }
  return isoPrefix + (MILLISECONDS[epochMs - second * 1000] as string);
}
