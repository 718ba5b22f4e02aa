import type { RouteDefinition } from '@health-api/core';
import { observationCreateSchema, patientCreateSchema, patientUpdateSchema } from '@health-api/core';
import {
  auditAgent, auditDate, auditEntity, conditionalCriteria, dateParameter, fhirId, identifierParameter, idempotencyKey, ifMatch,
  pageCursor, pageSize, patientParameter, tokenParameter, versionId,
} from './schemas.js';
// new:endpoint inserts generated imports above this line.

/** Largest FHIR resource body we accept: the modelled subset at its limits stays well under it. */
const RESOURCE_BODY_BYTES = 16 * 1024;

/** Settings shared by the routes that read or write health data. */
const dataRoute = { apiKey: true, timeoutSeconds: 10, memoryMb: 512 } as const;

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
  patientCreate: {
    ...dataRoute,
    id: 'patient-create',
    method: 'POST',
    path: '/v1/Patient',
    interaction: 'create',
    resourceType: 'Patient',
    scope: { resourceType: 'Patient', permission: 'c' },
    maxBodyBytes: RESOURCE_BODY_BYTES,
    idempotency: { required: false },
    schemas: { headers: { 'idempotency-key': idempotencyKey, 'if-none-exist': conditionalCriteria }, body: patientCreateSchema },
  },
  patientRead: {
    ...dataRoute,
    id: 'patient-read',
    method: 'GET',
    path: '/v1/Patient/{id}',
    interaction: 'read',
    resourceType: 'Patient',
    scope: { resourceType: 'Patient', permission: 'r' },
    maxBodyBytes: 0,
    schemas: { path: { id: fhirId } },
  },
  patientVread: {
    ...dataRoute,
    id: 'patient-vread',
    method: 'GET',
    path: '/v1/Patient/{id}/_history/{vid}',
    interaction: 'vread',
    resourceType: 'Patient',
    scope: { resourceType: 'Patient', permission: 'r' },
    maxBodyBytes: 0,
    schemas: { path: { id: fhirId, vid: versionId } },
  },
  patientUpdate: {
    ...dataRoute,
    id: 'patient-update',
    method: 'PUT',
    path: '/v1/Patient/{id}',
    interaction: 'update',
    resourceType: 'Patient',
    scope: { resourceType: 'Patient', permission: 'u' },
    maxBodyBytes: RESOURCE_BODY_BYTES,
    schemas: { path: { id: fhirId }, headers: { 'if-match': ifMatch }, body: patientUpdateSchema },
  },
  patientDelete: {
    ...dataRoute,
    id: 'patient-delete',
    method: 'DELETE',
    path: '/v1/Patient/{id}',
    interaction: 'delete',
    resourceType: 'Patient',
    scope: { resourceType: 'Patient', permission: 'd' },
    maxBodyBytes: 0,
    schemas: { path: { id: fhirId } },
  },
  patientSearch: {
    ...dataRoute,
    id: 'patient-search',
    method: 'GET',
    path: '/v1/Patient',
    interaction: 'search-type',
    resourceType: 'Patient',
    scope: { resourceType: 'Patient', permission: 's' },
    maxBodyBytes: 0,
    schemas: { query: { identifier: identifierParameter, _count: pageSize, _cursor: pageCursor }, requiredQuery: ['identifier'] },
  },
  observationCreate: {
    ...dataRoute,
    id: 'observation-create',
    method: 'POST',
    path: '/v1/Observation',
    interaction: 'create',
    resourceType: 'Observation',
    scope: { resourceType: 'Observation', permission: 'c' },
    maxBodyBytes: RESOURCE_BODY_BYTES,
    idempotency: { required: false },
    schemas: { headers: { 'idempotency-key': idempotencyKey, 'if-none-exist': conditionalCriteria }, body: observationCreateSchema },
  },
  observationRead: {
    ...dataRoute,
    id: 'observation-read',
    method: 'GET',
    path: '/v1/Observation/{id}',
    interaction: 'read',
    resourceType: 'Observation',
    scope: { resourceType: 'Observation', permission: 'r' },
    maxBodyBytes: 0,
    schemas: { path: { id: fhirId } },
  },
  observationVread: {
    ...dataRoute,
    id: 'observation-vread',
    method: 'GET',
    path: '/v1/Observation/{id}/_history/{vid}',
    interaction: 'vread',
    resourceType: 'Observation',
    scope: { resourceType: 'Observation', permission: 'r' },
    maxBodyBytes: 0,
    schemas: { path: { id: fhirId, vid: versionId } },
  },
  observationSearch: {
    ...dataRoute,
    id: 'observation-search',
    method: 'GET',
    path: '/v1/Observation',
    interaction: 'search-type',
    resourceType: 'Observation',
    scope: { resourceType: 'Observation', permission: 's' },
    maxBodyBytes: 0,
    schemas: { query: { patient: patientParameter, code: tokenParameter, date: dateParameter, _count: pageSize, _cursor: pageCursor }, requiredQuery: ['patient'] },
  },
  auditEventSearch: {
    ...dataRoute,
    id: 'audit-event-search',
    method: 'GET',
    path: '/v1/AuditEvent',
    interaction: 'search-type',
    resourceType: 'AuditEvent',
    scope: { resourceType: 'AuditEvent', permission: 's' },
    maxBodyBytes: 0,
    schemas: { query: { date: auditDate, entity: auditEntity, agent: auditAgent, _count: pageSize, _cursor: pageCursor }, requiredQuery: ['date'] },
  },
  // new:endpoint inserts generated routes above this line.
} as const satisfies Record<string, RouteDefinition>;

export const routeList: readonly RouteDefinition[] = Object.values(routes);

/** Module path of a route's handler, relative to the repository root. */
export function handlerModule(route: RouteDefinition): string {
  return `packages/functions/src/handlers/${route.id}.ts`;
}
