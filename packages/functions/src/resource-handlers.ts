/**
 * Handlers of the interactions that work the same for every resource type (read, create, and
 * search within one patient's compartment), so a route's handler module is one line and every
 * type gets the same checks. Type-specific rules come in as `check`.
 */
import type { JsonSchema, ResourceBody, ResourceType, RouteDefinition } from '@health-api/core';
import { ApiError } from '@health-api/core';
import { createResource, readResource, searchBySubject } from '@health-api/core/data';
import type { ApiHandler } from '@health-api/middleware';
import { secureHandler } from '@health-api/middleware';
import { reachFor, resourceAnswer, writeOptions } from './resource-http.js';
import { searchAnswer } from './search-bundle.js';

type ResourceRoute<T extends ResourceType> = RouteDefinition & { resourceType: T };

/** `GET /v1/<Type>/{id}`. */
export function readHandler<T extends ResourceType>(route: ResourceRoute<T> & { schemas: { path: { id: JsonSchema } } }): ApiHandler {
  return secureHandler(route, async (input) => {
    const { id } = input.params as Record<'id', string>;
    return resourceAnswer(await readResource(route.resourceType, id, reachFor(input), { signal: input.signal }));
  });
}

/** `POST /v1/<Type>`: the body has passed the route's schema; `check` applies the rules a schema cannot express. */
export function createHandler<T extends ResourceType>(
  route: ResourceRoute<T> & { schemas: { body: JsonSchema } }, check: (body: ResourceBody<T>) => void = () => undefined,
): ApiHandler {
  return secureHandler(route, async (input) => {
    const body = input.body as ResourceBody<T>;
    check(body);
    const created = await createResource(route.resourceType, body, reachFor(input), { ...writeOptions(input), id: input.newResourceId });
    return resourceAnswer(created, 201);
  });
}

/** `patient=Patient/<id>` or `patient=<id>` (its form checked by the route schema) as a Patient id. */
export function patientIdParameter(patient: string | undefined): string {
  // Resources in a patient's compartment are only searched within one compartment.
  if (patient === undefined) throw new ApiError('INVALID_SEARCH', { fields: ['patient'], reason: 'patient required' });
  return patient.replace(/^Patient\//, '');
}

/** `GET /v1/<Type>?patient=…`: a type found by subject only (see `searchBySubject`). */
export function subjectSearchHandler<T extends Exclude<ResourceType, 'Patient' | 'Observation'>>(
  route: ResourceRoute<T> & { schemas: { query: { patient: JsonSchema } } },
): ApiHandler {
  return secureHandler(route, async (input) => {
    const query = input.query as Record<string, string | undefined>;
    const patientId = patientIdParameter(query.patient);
    const reach = reachFor(input);
    return searchAnswer({ path: route.path, routeId: route.id, query, auth: input.auth },
      (page) => searchBySubject(route.resourceType, patientId, reach, page, { signal: input.signal }));
  });
}
