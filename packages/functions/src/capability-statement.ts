import type { RouteDefinition } from '@health-api/core';
import { SEARCH_PARAMETER_TYPES } from './schemas.js';

const SMART_SECURITY = 'http://terminology.hl7.org/CodeSystem/restful-security-service';

/** The search parameters of a search route, with their FHIR types; `_`-prefixed result parameters are left out. */
function searchParams(route: RouteDefinition) {
  if (route.interaction !== 'search-type') return [];
  return Object.entries(route.schemas.query ?? {}).filter(([name]) => !name.startsWith('_')).map(([name, schema]) => {
    const type = SEARCH_PARAMETER_TYPES.get(schema);
    if (!type) throw new Error(`search parameter ${route.id} ${name} has no FHIR type in SEARCH_PARAMETER_TYPES`);
    return { name, type };
  });
}

/**
 * A FHIR R4 CapabilityStatement describing exactly the routes of the manifest: interactions,
 * search parameters, versioned updates (If-Match required) and creates that require an
 * Idempotency-Key.
 */
export function capabilityStatement(routes: readonly RouteDefinition[], date: string) {
  const byType = new Map<string, RouteDefinition[]>();
  for (const route of routes) {
    if (!route.resourceType) continue;
    byType.set(route.resourceType, [...(byType.get(route.resourceType) ?? []), route]);
  }
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'application/json'],
    rest: [{
      mode: 'server',
      security: {
        cors: false,
        service: [{ coding: [{ system: SMART_SECURITY, code: 'SMART-on-FHIR' }] }],
        description: 'OAuth 2.0 bearer access tokens (JWT) with SMART v2 scopes, plus an API key in x-api-key.',
      },
      resource: [...byType].map(([type, typeRoutes]) => ({
        type,
        ...(typeRoutes.some((route) => route.interaction === 'update') ? { versioning: 'versioned-update', updateCreate: false } : {}),
        interaction: typeRoutes.map((route) => ({
          code: route.interaction,
          documentation: `${route.method} ${route.path} requires scope */${route.scope?.resourceType}.${route.scope?.permission}`
            + (route.idempotency?.required ? ' and an Idempotency-Key header' : ''),
        })),
        ...(typeRoutes.some((route) => route.interaction === 'search-type') ? { searchParam: typeRoutes.flatMap(searchParams) } : {}),
      })),
    }],
  };
}
