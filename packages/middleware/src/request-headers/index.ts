import { setOwn } from '@health-api/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApiMiddleware } from '../request-state.js';

/** The list already kept for `name`, own properties only (`constructor` is a header name too). */
const listOf = (lists: Record<string, string[]>, name: string): string[] | undefined => (Object.hasOwn(lists, name) ? lists[name] : undefined);

/**
 * Both header maps of the event rebuilt with lower-case names: `multiValueHeaders` holds every
 * value sent under any spelling of a name, in order, and `headers` those same values combined as
 * HTTP combines a repeated field (RFC 9110 section 5.3). API Gateway's own maps can disagree (its
 * single-value map keeps one value per spelling, chosen by order), so without this one step
 * could check one value and a later step use another.
 */
export function normaliseHeaders(event: APIGatewayProxyEvent): void {
  // This runs on every request: the new multi-value map is filled in place, in first-seen order,
  // with no intermediate Map, Set or entry arrays in the usual case.
  const multi: Record<string, string[]> = {};
  const sentMulti = event.multiValueHeaders;
  if (sentMulti) {
    for (const key of Object.keys(sentMulti)) {
      const name = key.toLowerCase();
      let list = listOf(multi, name);
      if (list === undefined) setOwn(multi, name, (list = []));
      for (const value of sentMulti[key] ?? []) if (value !== undefined) list.push(value);
    }
  }
  // A name the multi-value map carries is complete there; the single-value map only fills gaps.
  let gaps: Set<string> | undefined;
  const sentSingle = event.headers;
  if (sentSingle) {
    for (const key of Object.keys(sentSingle)) {
      // The same spelling in the multi-value map (API Gateway's usual event): complete already.
      if (sentMulti && Object.hasOwn(sentMulti, key)) continue;
      const name = key.toLowerCase();
      let list = listOf(multi, name);
      if (list === undefined) {
        setOwn(multi, name, (list = []));
        (gaps ??= new Set()).add(name);
      } else if (!gaps?.has(name)) continue;
      const value = sentSingle[key];
      if (value !== undefined) list.push(value);
    }
  }
  const single: Record<string, string> = {};
  for (const name of Object.keys(multi)) {
    const list = multi[name] as string[];
    // A name sent with no value is no header (deleting keeps the others' order).
    if (list.length === 0) delete multi[name];
    else setOwn(single, name, list.length === 1 ? list[0] as string : list.join(', '));
  }
  event.multiValueHeaders = multi;
  event.headers = single;
}

/** The first step of every chain, so every later one (and the business function) reads the same headers. */
export const headerNormaliser: ApiMiddleware = {
  name: 'header-normaliser',
  before: (request) => {
    normaliseHeaders(request.event);
  },
};
