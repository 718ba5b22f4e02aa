import { ApiError, normaliseNhi } from '@health-api/core';
import { searchPatientsByNhi } from '@health-api/core/data';
import { secureHandler } from '@health-api/middleware';
import { reachFor } from '../resource-http.js';
import { routes } from '../routes.js';
import { searchAnswer } from '../search-bundle.js';

const route = routes.patientSearch;

export const handler = secureHandler(route, async (input) => {
  const identifier = input.query.identifier;
  if (identifier === undefined) throw new ApiError('INVALID_SEARCH', { fields: ['identifier'], reason: 'identifier required' });
  const nhi = normaliseNhi(identifier.slice(identifier.indexOf('|') + 1));
  if (!nhi) throw new ApiError('INVALID_NHI', { fields: ['identifier'] });
  const reach = reachFor(input);
  return searchAnswer({ path: route.path, routeId: route.id, query: input.query, auth: input.auth },
    (page) => searchPatientsByNhi(nhi, reach, page, { signal: input.signal }));
});
