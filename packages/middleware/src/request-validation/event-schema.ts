import type { JsonSchema, RouteDefinition } from '@health-api/core';
import { MAX_PARAMETER_REPEATS, isRepeatable } from '@health-api/core';

/** Longest value accepted for a header this route does not read. */
const MAX_HEADER_VALUE = 8192;

const nothing = { type: 'null' } as const;

/** Headers every route reads. */
const COMMON_HEADERS = {
  'interaction-id': { type: 'string', maxLength: 36, pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$' },
} as const;

/** Names of the headers `route` reads (lower case): each must be sent at most once. */
export const declaredHeaders = (route: RouteDefinition): string[] => [...Object.keys(COMMON_HEADERS), ...Object.keys(route.schemas.headers ?? {})];

/** Query parameters every route takes; the request guards have checked what they mean. */
const COMMON_QUERY = {
  _format: { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9+/.;= "-]{1,64}$' },
} as const;

/**
 * The JSON schema of the whole proxy event for one route: path parameters, query parameters,
 * headers and body, each closed to anything the route does not declare.
 */
export function eventSchema(route: RouteDefinition): JsonSchema {
  const { path, query, headers, body } = route.schemas;
  const closed = (properties: JsonSchema | undefined) => ({
    type: 'object',
    properties: properties ?? {},
    additionalProperties: false,
  });
  return {
    type: 'object',
    required: ['pathParameters', 'queryStringParameters', 'headers', 'body'],
    properties: {
      // API Gateway sends null, not {}, when there are none.
      pathParameters: path ? { ...closed(path), required: Object.keys(path) } : nothing,
      queryStringParameters: { ...closed({ ...COMMON_QUERY, ...query }), type: ['object', 'null'] },
      // Every value of a parameter, not just the last one the single-value map keeps.
      multiValueQueryStringParameters: {
        ...closed(Object.fromEntries(Object.entries({ ...COMMON_QUERY, ...query }).map(([name, schema]) => [name, {
          type: 'array', minItems: 1, maxItems: isRepeatable(route, name) ? MAX_PARAMETER_REPEATS : 1, items: schema,
        }]))),
        type: ['object', 'null'],
      },
      headers: {
        type: 'object',
        properties: { ...COMMON_HEADERS, ...headers },
        additionalProperties: { type: 'string', maxLength: MAX_HEADER_VALUE },
      },
      body: body ?? { anyOf: [nothing, { type: 'string', maxLength: 0 }] },
    },
  };
}

/** Every property name the schema declares: the only path segments safe to echo in errors. */
export function declaredNames(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) declaredNames(item, into);
  } else if (schema !== null && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'properties' && value && typeof value === 'object') {
        for (const name of Object.keys(value)) into.add(name);
      }
      if (key === 'required' && Array.isArray(value)) {
        for (const name of value) if (typeof name === 'string') into.add(name);
      }
      declaredNames(value, into);
    }
  }
  return into;
}
