/**
 * Handlers of the interactions that work the same for every resource type (read, vread, create,
 * update, delete and search), so a route's handler module is one line and every type gets the
 * same checks. Type-specific rules come in as `check`, type-specific searches as a `TypeSearch`.
 */
import type { JsonSchema, ResourceBody, ResourceType, RouteDefinition, StoredResource } from '@health-api/core';
import { ApiError, reachOf } from '@health-api/core';
import { createResource, deleteResource, readResource, readResourceVersion, updateResource } from '@health-api/core/data';
import type { ApiHandler, BusinessInput, ValidatorsLoader } from '@health-api/middleware';
import { grantsFor, secureHandler } from '@health-api/middleware';
import { expectedVersion, reachFor, resourceAnswer, writeOptions } from './resource-http.js';
import { searchAnswer } from './search-bundle.js';
import type { SearchValues, TypeSearch } from './type-searches.js';

type ResourceRoute<T extends ResourceType> = RouteDefinition & { resourceType: T };
/** Rules of a type that its schema cannot express, applied to a create or update body. */
type BodyCheck<T extends ResourceType> = (body: ResourceBody<T>) => void;

/** Our version ids: what a `_history/{vid}` can name here. */
const VERSION = /^[1-9][0-9]{0,9}$/;

/** `GET /v1/<Type>/{id}`. */
export function readHandler<T extends ResourceType>(route: ResourceRoute<T> & { schemas: { path: { id: JsonSchema } } }, validators: ValidatorsLoader): ApiHandler {
  return secureHandler(route, async (input) => {
    const { id } = input.params as Record<'id', string>;
    return resourceAnswer(await readResource(route.resourceType, id, reachFor(input), { signal: input.signal }));
  }, validators);
}

/** `GET /v1/<Type>/{id}/_history/{vid}`: one version, with the same reach, audit and encryption as a read. */
export function vreadHandler<T extends ResourceType>(route: ResourceRoute<T> & { schemas: { path: { id: JsonSchema; vid: JsonSchema } } }, validators: ValidatorsLoader): ApiHandler {
  return secureHandler(route, async (input) => {
    const { id, vid } = input.params as Record<'id' | 'vid', string>;
    // Any FHIR id is a well-formed vid; one that is not a version number of ours names nothing.
    if (!VERSION.test(vid)) throw new ApiError('NOT_FOUND', { reason: 'no such version' });
    return resourceAnswer(await readResourceVersion(route.resourceType, id, Number(vid), reachFor(input), { signal: input.signal }));
  }, validators);
}

/**
 * FHIR conditional create (https://hl7.org/fhir/R4/http.html#ccreate): the resources the
 * `If-None-Exist` criteria match, found by the type's search. The criteria are held to the search
 * route's parameter schemas with nothing ignored (an ignored criterion would widen the match),
 * and the search needs the caller's search grant, since a match discloses a resource.
 */
function conditionalMatcher<T extends ResourceType>(search: TypeSearch<T>, validators: ValidatorsLoader) {
  return async (criteria: string, input: BusinessInput<RouteDefinition>): Promise<readonly unknown[]> => {
    const query: Record<string, string[]> = {};
    for (const [name, value] of new URLSearchParams(criteria)) (query[name] ??= []).push(value);
    // Generated from the search route's parameters (criteriaSchema) by `npm run validators`.
    const valid = (await validators()).criteria;
    if (!valid) throw new Error(`${search.route.resourceType} create has no generated If-None-Exist validator`);
    if (!valid(query)) throw new ApiError('INVALID_SEARCH', { fields: ['If-None-Exist'], reason: 'criteria' });
    const grants = grantsFor(input.auth?.grants ?? [], search.route.resourceType, 's');
    if (grants.length === 0) throw new ApiError('INSUFFICIENT_SCOPE', { reason: `If-None-Exist needs ${search.route.resourceType}.s` });
    const found = await search.find(query, {
      reach: reachOf(grants, input.auth?.patient), page: { count: 2 }, signal: input.signal, baseUrl: input.baseUrl,
    });
    return found.resources;
  };
}

/**
 * `POST /v1/<Type>`: the body has passed the route's schema; `check` applies the rules a schema
 * cannot express. With `If-None-Exist` (routes that declare it, given the type's search) one
 * match answers 200 with it, several 412, none creates.
 */
export function createHandler<T extends ResourceType>(
  route: ResourceRoute<T> & { schemas: { body: JsonSchema } }, validators: ValidatorsLoader, check: BodyCheck<T> = () => undefined, search?: TypeSearch<T>,
): ApiHandler {
  const matches = search ? conditionalMatcher(search, validators) : undefined;
  return secureHandler(route, async (input) => {
    const body = input.body as ResourceBody<T>;
    check(body);
    const criteria = (input.headers as Partial<Record<string, string>>)['if-none-exist']; // declared when `search` is given
    if (criteria !== undefined && matches) {
      const found = await matches(criteria, input as BusinessInput<RouteDefinition>);
      if (found.length > 1) throw new ApiError('MULTIPLE_MATCHES');
      // The type's own search found it: a stored resource of this type.
      if (found.length === 1) return resourceAnswer(found[0] as StoredResource<T>, { baseUrl: input.baseUrl });
    }
    const created = await createResource(route.resourceType, body, reachFor(input), { ...writeOptions(input), id: input.newResourceId });
    return resourceAnswer(created, { baseUrl: input.baseUrl, statusCode: 201 });
  }, validators);
}

/**
 * `PUT /v1/<Type>/{id}`: replaces the resource at the version `If-Match` names (428 without it);
 * the body has passed the route's update schema and must carry the id of the URL.
 */
export function updateHandler<T extends ResourceType>(
  route: ResourceRoute<T> & { schemas: { path: { id: JsonSchema }; headers: { 'if-match': JsonSchema }; body: JsonSchema } },
  validators: ValidatorsLoader,
  check: BodyCheck<T> = () => undefined,
): ApiHandler {
  return secureHandler(route, async (input) => {
    const { id } = input.params as Record<'id', string>;
    const version = expectedVersion(input.headers['if-match']);
    const body = input.body as ResourceBody<T> & { id: string };
    if (body.id !== id) throw new ApiError('ID_MISMATCH', { fields: ['body.id'] });
    check(body);
    return resourceAnswer(await updateResource(route.resourceType, id, body, version, reachFor(input), writeOptions(input)));
  }, validators);
}

/** `DELETE /v1/<Type>/{id}`: a soft delete (reads answer 410 afterwards); deleting again is a no-op, still 204. */
export function deleteHandler<T extends ResourceType>(route: ResourceRoute<T> & { schemas: { path: { id: JsonSchema } } }, validators: ValidatorsLoader): ApiHandler {
  return secureHandler(route, async (input) => {
    const { id } = input.params as Record<'id', string>;
    await deleteResource(route.resourceType, id, reachFor(input), writeOptions(input));
    return { statusCode: 204 };
  }, validators);
}

/** `GET /v1/<Type>?…`: the type's search as a FHIR searchset Bundle. */
export function searchHandler<T extends ResourceType>(search: TypeSearch<T>, validators: ValidatorsLoader): ApiHandler {
  return secureHandler(search.route, async (input) => {
    const reach = reachFor(input);
    return searchAnswer(search.route, input, (page) => search.find(input.query as SearchValues, {
      reach, page, signal: input.signal, baseUrl: input.baseUrl,
    }));
  }, validators);
}
