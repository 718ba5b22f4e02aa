import type { RouteDefinition } from '@health-api/core';
import { ApiError } from '@health-api/core';
import type { ApiMiddleware } from '../request-state.js';
import { headerValues } from '../request-state.js';

/** FHIR parameters every interaction takes (https://hl7.org/fhir/R4/http.html#parameters); `_format` is checked by the guards. */
export const GENERAL_PARAMETERS = ['_format'] as const;

/** A parameter name safe to name back to the caller; anything else is reported as `*`. */
const SAFE_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;

/** True when the caller asked for `Prefer: handling=strict` (https://hl7.org/fhir/R4/search.html#errors). */
export function wantsStrictHandling(values: readonly string[]): boolean {
  return values.some((value) => value.split(/[,;]/).some((preference) => preference.replace(/\s+/g, '').toLowerCase() === 'handling=strict'));
}

/**
 * FHIR's answer to parameters a server does not know: by default (`handling=lenient`) they are
 * ignored, and a search names them in an OperationOutcome entry of its Bundle; under
 * `Prefer: handling=strict` they are refused. Ignored parameters are taken out of the event here,
 * so no later step, and no business function, ever reads them; the rest is validated strictly.
 */
export function queryParameters(route: RouteDefinition): ApiMiddleware {
  const known = new Set<string>([...Object.keys(route.schemas.query ?? {}), ...GENERAL_PARAMETERS]);
  return {
    name: 'query-parameters',
    before: (request) => {
      const { event } = request;
      const unknown = Object.keys(event.queryStringParameters ?? {}).filter((name) => !known.has(name));
      if (unknown.length === 0) return;
      const names = [...new Set(unknown.map((name) => (SAFE_NAME.test(name) ? name : '*')))];
      if (wantsStrictHandling(headerValues(event, 'prefer'))) throw new ApiError('UNKNOWN_PARAMETER', { fields: names });
      request.internal.ignoredParameters = names;
      const keep = <T>(map: Record<string, T> | null | undefined) =>
        map ? Object.fromEntries(Object.entries(map).filter(([name]) => known.has(name))) : map;
      event.queryStringParameters = keep(event.queryStringParameters) ?? null;
      event.multiValueQueryStringParameters = keep(event.multiValueQueryStringParameters) ?? null;
    },
  };
}
