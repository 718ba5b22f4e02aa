import type { DatePrefix } from '@health-api/core';
import { ApiError, isCalendarDate } from '@health-api/core';
import { searchObservations } from '@health-api/core/data';
import { secureHandler } from '@health-api/middleware';
import { patientIdParameter } from '../resource-handlers.js';
import { reachFor } from '../resource-http.js';
import { routes } from '../routes.js';
import { searchAnswer } from '../search-bundle.js';

const route = routes.observationSearch;

function dateFilter(parameter: string | undefined): { prefix: DatePrefix; value: string } | undefined {
  if (parameter === undefined) return undefined;
  const prefixed = /^(eq|ge|gt|le|lt)/.exec(parameter);
  const value = prefixed ? parameter.slice(2) : parameter;
  if (!isCalendarDate(value)) throw new ApiError('INVALID_SEARCH', { fields: ['date'], reason: 'calendar' });
  return { prefix: (prefixed?.[1] ?? 'eq') as DatePrefix, value };
}

export const handler = secureHandler(route, async (input) => {
  const { patient, code, date } = input.query;
  const patientId = patientIdParameter(patient);
  const bar = code?.indexOf('|') ?? -1;
  const search = {
    patientId,
    ...(code ? { code: { system: code.slice(0, bar), code: code.slice(bar + 1) } } : {}),
    ...(date ? { date: dateFilter(date) } : {}),
  };
  const reach = reachFor(input);
  return searchAnswer({ path: route.path, routeId: route.id, query: input.query, auth: input.auth },
    (page) => searchObservations(search, reach, page, { signal: input.signal }));
});
