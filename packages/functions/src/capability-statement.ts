import type { RouteDefinition } from '@health-api/core';

const SMART_SECURITY = 'http://terminology.hl7.org/CodeSystem/restful-security-service';

/** A FHIR R4 CapabilityStatement describing exactly the routes of the manifest. */
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
        interaction: typeRoutes.map((route) => ({
          code: route.interaction,
          documentation: `${route.method} ${route.path} requires scope */${route.scope?.resourceType}.${route.scope?.permission}`,
        })),
      })),
    }],
  };
}
