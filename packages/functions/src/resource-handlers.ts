/**
 * Handlers of the interactions that work the same for every resource type (read, create,
 * update, delete, and search within one patient's compartment), so a route's handler module is
 * one line and every type gets the same checks. Type-specific rules come in as `check`.
 */
import type { JsonSchema, ResourceBody, ResourceType, RouteDefinition } from '@health-api/core';
import { ApiError } from '@health-api/core';
import { createResource, deleteResource, readResource, searchBySubject, updateResource } from '@health-api/core/data';
import type { ApiHandler } from '@health-api/middleware';
import { secureHandler } from '@health-api/middleware';
import { expectedVersion, reachFor, resourceAnswer, writeOptions } from './resource-http.js';
import { searchAnswer } from './search-bundle.js';

type ResourceRoute<T extends ResourceType> = RouteDefinition & { resourceType: T };
/** Rules of a type that its schema cannot express, applied to a create or update body. */
type BodyCheck<T extends ResourceType> = (body: ResourceBody<T>) => void;

/** `GET /v1/<Type>/{id}`. */
export function readHandler<T extends ResourceType>(route: ResourceRoute<T> & { schemas: { path: { id: JsonSchema } } }): ApiHandler {
  return secureHandler(route, async (input) => {
    const { id } = input.params as Record<'id', string>;
    return resourceAnswer(await readResource(route.resourceType, id, reachFor(input), { signal: input.signal }));
  });
}

/** `POST /v1/<Type>`: the body has passed the route's schema; `check` applies the rules a schema cannot express. */
export function createHandler<T extends ResourceType>(
  route: ResourceRoute<T> & { schemas: { body: JsonSchema } }, check: BodyCheck<T> = () => undefined,
): ApiHandler {
  return secureHandler(route, async (input) => {
    const body = input.body as ResourceBody<T>;
    check(body);
    const created = await createResource(route.resourceType, body, reachFor(input), { ...writeOptions(input), id: input.newResourceId });
    return resourceAnswer(created, 201);
  });
}

/**
 * `PUT /v1/<Type>/{id}`: replaces the resource at the version `If-Match` names (428 without it);
 * the body has passed the route's update schema and must carry the id of the URL.
 */
export function updateHandler<T extends ResourceType>(
  route: ResourceRoute<T> & { schemas: { path: { id: JsonSchema }; headers: { 'if-match': JsonSchema }; body: JsonSchema } },
  check: BodyCheck<T> = () => undefined,
): ApiHandler {
  return secureHandler(route, async (input) => {
    const { id } = input.params as Record<'id', string>;
    const version = expectedVersion(input.headers['if-match']);
    const body = input.body as ResourceBody<T> & { id: string };
    if (body.id !== id) throw new ApiError('ID_MISMATCH', { fields: ['body.id'] });
    check(body);
    return resourceAnswer(await updateResource(route.resourceType, id, body, version, reachFor(input), writeOptions(input)));
  });
}

/** `DELETE /v1/<Type>/{id}`: a soft delete (reads answer 410 afterwards); deleting again is a no-op, still 204. */
export function deleteHandler<T extends ResourceType>(route: ResourceRoute<T> & { schemas: { path: { id: JsonSchema } } }): ApiHandler {
  return secureHandler(route, async (input) => {
    const { id } = input.params as Record<'id', string>;
    await deleteResource(route.resourceType, id, reachFor(input), writeOptions(input));
    return { statusCode: 204 };
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
