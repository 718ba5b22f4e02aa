import type { JsonSchema, RouteDefinition } from '@health-api/core';
import { MAX_PARAMETER_REPEATS } from '@health-api/core';

/** One AJV issue, as AJV's standalone code reports it. */
export interface AjvIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** A validation function AJV compiled (at build time, by `npm run validators`): verdict, then its issues. */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: AjvIssue[] | null;
}

/**
 * What `npm run validators` generates for a route, one module per route
 * (`@health-api/middleware/validators/<route id>`): the whole proxy event's validator, and for a
 * create route that takes `If-None-Exist`, the validator of its criteria.
 */
export interface RouteValidators {
  event: CompiledValidator;
  criteria?: CompiledValidator;
}

/** Imports a route's generated validators, from their own chunk: `() => import('@health-api/middleware/validators/<id>')`. */
export type ValidatorsLoader = () => Promise<RouteValidators>;

/**
 * The schema of a conditional create's `If-None-Exist` criteria: the search route's parameters
 * (never its `_` result parameters), each repeatable, at least one given, nothing else.
 */
export function criteriaSchema(search: RouteDefinition): JsonSchema {
  const parameters = Object.fromEntries(Object.entries(search.schemas.query ?? {}).filter(([name]) => !name.startsWith('_'))
    .map(([name, schema]) => [name, { type: 'array', minItems: 1, maxItems: MAX_PARAMETER_REPEATS, items: schema }]));
  return { type: 'object', properties: parameters, additionalProperties: false, minProperties: 1 };
}
