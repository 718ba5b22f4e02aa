import type { RouteDefinition } from '@health-api/core';
import { fhirId } from './schemas.js';

/**
 * The route manifest: the one list of endpoints. Handlers, the CapabilityStatement, the local
 * gateway, the SST infra and the OpenAPI document all read it. A route's handler lives in
 * `handlers/<id>.ts` and exports `handler`.
 */
export const routes = {
  metadata: {
    id: 'metadata',
    method: 'GET',
    path: '/v1/metadata',
    interaction: 'capabilities',
    apiKey: false,
    maxBodyBytes: 0,
    timeoutSeconds: 5,
    memoryMb: 256,
    cacheTtlSeconds: 300,
    schemas: {},
  },
  patientRead: {
    id: 'patient-read',
    method: 'GET',
    path: '/v1/Patient/{id}',
    interaction: 'read',
    resourceType: 'Patient',
    scope: { resourceType: 'Patient', permission: 'r' },
    apiKey: true,
    maxBodyBytes: 0,
    timeoutSeconds: 10,
    memoryMb: 512,
    schemas: { path: { id: fhirId } },
  },
} as const satisfies Record<string, RouteDefinition>;

export const routeList: readonly RouteDefinition[] = Object.values(routes);

/** Module path of a route's handler, relative to the repository root. */
export function handlerModule(route: RouteDefinition): string {
  return `packages/functions/src/handlers/${route.id}.ts`;
}
