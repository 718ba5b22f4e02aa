import { setOwn } from '@health-api/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApiMiddleware } from '../request-state.js';

/**
 * Both header maps of the event rebuilt with lower-case names: `multiValueHeaders` holds every
 * value sent under any spelling of a name, in order, and `headers` those same values combined as
 * HTTP combines a repeated field (RFC 9110 section 5.3). API Gateway's own maps can disagree (its
 * single-value map keeps one value per spelling, chosen by order), so without this one step
 * could check one value and a later step use another.
 */
export function normaliseHeaders(event: APIGatewayProxyEvent): void {
  // One pass per map and no intermediate copies: this runs on every request.
  const values = new Map<string, string[]>();
  const listOf = (name: string): string[] => {
    let list = values.get(name);
    if (list === undefined) values.set(name, (list = []));
    return list;
  };
  for (const [key, sent] of Object.entries(event.multiValueHeaders ?? {})) {
    const list = listOf(key.toLowerCase());
    for (const value of sent ?? []) if (value !== undefined) list.push(value);
  }
  // A name the multi-value map carries is complete there; the single-value map only fills gaps.
  const complete = new Set(values.keys());
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    const name = key.toLowerCase();
    if (!complete.has(name)) {
      const list = listOf(name);
      if (value !== undefined) list.push(value);
    }
  }
  const multi: Record<string, string[]> = {};
  const single: Record<string, string> = {};
  for (const [name, list] of values) {
    if (list.length === 0) continue;
    setOwn(multi, name, list);
    setOwn(single, name, list.join(', '));
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
