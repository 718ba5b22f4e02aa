import type { RouteDefinition } from '@health-api/core';
import { routes } from '@health-api/functions';
import type { BusinessFunction, ValidatorsLoader } from '@health-api/middleware';

/** The route the in-process sections measure: a protected, validated, audited read. */
export const route = routes.patientRead;

/** Its validators, generated at build time as every function's are. */
export const validators: ValidatorsLoader = () => import('@health-api/middleware/validators/patient-read');

/**
 * The same route without its resource type, which is what turns the audit trail on: the chain
 * the issue names (guards, token, scopes, validation, logging, headers) with no I/O of its own.
 */
export const unauditedRoute: RouteDefinition = { ...route, resourceType: undefined };

/** A business function that does no I/O of its own, so the chain's cost is what differs. */
export const business: BusinessFunction<typeof route> = async ({ params }) => ({
  statusCode: 200,
  body: { resourceType: 'Patient', id: params.id, meta: { versionId: '1' }, active: true },
});
