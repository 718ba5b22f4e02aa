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
  const values = new Map<string, string[]>();
  const add = (key: string, list: ReadonlyArray<string | undefined>) => {
    const name = key.toLowerCase();
    values.set(name, [...(values.get(name) ?? []), ...list.filter((value): value is string => value !== undefined)]);
  };
  for (const [key, list] of Object.entries(event.multiValueHeaders ?? {})) add(key, list ?? []);
  // A name the multi-value map carries is complete there; the single-value map only fills gaps.
  const complete = new Set(values.keys());
  for (const [key, value] of Object.entries(event.headers ?? {})) if (!complete.has(key.toLowerCase())) add(key, [value]);
  const sent = [...values].filter(([, list]) => list.length > 0);
  event.multiValueHeaders = Object.fromEntries(sent);
  event.headers = Object.fromEntries(sent.map(([name, list]) => [name, list.join(', ')]));
}

/** The first step of every chain, so every later one (and the business function) reads the same headers. */
export const headerNormaliser: ApiMiddleware = {
  name: 'header-normaliser',
  before: (request) => {
    normaliseHeaders(request.event);
  },
};
