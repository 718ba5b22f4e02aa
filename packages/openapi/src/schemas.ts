import type { JsonSchema, RouteDefinition } from '@health-api/core';
import { ERROR_CODE_SYSTEM, errorCodes, fhirId, fhirInstant } from '@health-api/core';

/**
 * Response schemas, built from the request schemas of the manifest and from the error catalogue,
 * so the document states nothing the code does not.
 */

/** `patient-create` → `PatientCreate`: component names follow the route ids. */
export const pascalCase = (id: string) => id.split(/[^A-Za-z0-9]+/).filter(Boolean)
  .map((word) => word[0]?.toUpperCase() + word.slice(1)).join('');

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The body of every error answer: `operationOutcome(code)` of core/src/errors.ts. */
export const operationOutcomeSchema = {
  type: 'object',
  required: ['resourceType', 'issue'],
  additionalProperties: false,
  properties: {
    resourceType: { const: 'OperationOutcome' },
    issue: {
      type: 'array', minItems: 1, maxItems: 1,
      items: {
        type: 'object',
        required: ['severity', 'code', 'details'],
        additionalProperties: false,
        properties: {
          severity: { enum: ['error', 'fatal'] },
          code: { type: 'string', description: 'FHIR IssueType.' },
          details: {
            type: 'object',
            required: ['coding', 'text'],
            additionalProperties: false,
            properties: {
              coding: {
                type: 'array', minItems: 1, maxItems: 1,
                items: {
                  type: 'object',
                  required: ['system', 'code'],
                  additionalProperties: false,
                  properties: { system: { const: ERROR_CODE_SYSTEM }, code: { enum: errorCodes } },
                },
              },
              text: { type: 'string' },
            },
          },
          expression: {
            type: 'array', items: { type: 'string' },
            description: 'Paths of the failing fields; the submitted values are never echoed.',
          },
        },
      },
    },
  },
} as const;

const metaSchema = {
  type: 'object',
  required: ['versionId', 'lastUpdated'],
  additionalProperties: false,
  properties: { versionId: { type: 'string', pattern: '^[1-9][0-9]*$' }, lastUpdated: fhirInstant },
} as const;

const capabilityStatementSchema = {
  type: 'object',
  required: ['resourceType', 'fhirVersion', 'rest'],
  properties: { resourceType: { const: 'CapabilityStatement' }, fhirVersion: { const: '4.0.1' }, rest: { type: 'array' } },
} as const;

/**
 * A stored resource as answered: the write schema of its type plus the server-assigned `id` and
 * `meta`; a type with no write route is described by those fields alone.
 */
function storedResourceSchema(resourceType: string, writeSchema: JsonSchema | undefined): JsonSchema {
  const written = (writeSchema?.properties ?? {}) as Record<string, unknown>;
  const required = (writeSchema?.required ?? ['resourceType']) as string[];
  return {
    type: 'object',
    required: [...new Set([...required, 'id', 'meta'])],
    additionalProperties: writeSchema?.additionalProperties ?? true,
    properties: { resourceType: { const: resourceType }, ...written, id: fhirId, meta: metaSchema },
  };
}

function searchBundleSchema(resourceType: string): JsonSchema {
  return {
    type: 'object',
    required: ['resourceType', 'type', 'link', 'entry'],
    additionalProperties: false,
    properties: {
      resourceType: { const: 'Bundle' },
      type: { const: 'searchset' },
      link: {
        type: 'array',
        description: '`self`, and `next` while more results remain; `next` carries an opaque cursor bound to this search and caller.',
        items: {
          type: 'object', required: ['relation', 'url'], additionalProperties: false,
          properties: { relation: { enum: ['self', 'next'] }, url: { type: 'string' } },
        },
      },
      entry: {
        type: 'array',
        items: {
          type: 'object', required: ['resource', 'search'], additionalProperties: false,
          properties: {
            resource: ref(resourceType),
            search: { type: 'object', required: ['mode'], properties: { mode: { const: 'match' } } },
          },
        },
      },
    },
  };
}

/** Component name of the schema a route answers with on success, if its answer has a body. */
export function successSchemaName(route: RouteDefinition): string | undefined {
  if (route.interaction === 'capabilities') return 'CapabilityStatement';
  if (!route.resourceType || route.interaction === 'delete') return undefined;
  return route.interaction === 'search-type' ? `${route.resourceType}SearchBundle` : route.resourceType;
}

/** `components.schemas`: request bodies by route, answers by resource type, and OperationOutcome. */
export function componentSchemas(routes: readonly RouteDefinition[]): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  const writeSchemas = new Map<string, JsonSchema>();
  for (const route of routes) {
    if (route.schemas.body) schemas[pascalCase(route.id)] = route.schemas.body;
    // The create schema describes a stored resource best: update adds only `id`, which we add anyway.
    if (route.resourceType && route.schemas.body && (route.interaction === 'create' || !writeSchemas.has(route.resourceType))) {
      writeSchemas.set(route.resourceType, route.schemas.body);
    }
  }
  for (const route of routes) {
    const name = successSchemaName(route);
    if (name === 'CapabilityStatement') schemas[name] = capabilityStatementSchema;
    else if (name && route.resourceType) {
      schemas[route.resourceType] = storedResourceSchema(route.resourceType, writeSchemas.get(route.resourceType));
      if (route.interaction === 'search-type') schemas[name] = searchBundleSchema(route.resourceType);
    }
  }
  schemas.OperationOutcome = operationOutcomeSchema;
  return Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
}
