import type { ErrorCode, RouteDefinition } from '@health-api/core';
import { errorCodes, errorSpec } from '@health-api/core';

/**
 * Which catalogue codes (core/src/errors.ts) each route can answer with, by the layer that
 * raises them. The layers apply to routes by their manifest fields, so a new route inherits
 * the right list without being named here.
 */

/** API Gateway and WAF, before and after any route's handler. */
const GATEWAY: readonly ErrorCode[] = [
  'MALFORMED_REQUEST', 'HEADERS_TOO_LARGE', 'PAYLOAD_TOO_LARGE', 'ACCESS_DENIED', 'THROTTLED',
  'BAD_GATEWAY', 'GATEWAY_TIMEOUT', 'INTERNAL_ERROR',
];
/** The usage plan of routes that demand an API key. */
const API_KEY: readonly ErrorCode[] = ['API_KEY_INVALID', 'QUOTA_EXCEEDED'];
/** Request guards, the audit trail and validation: every secureHandler route. */
const HANDLER: readonly ErrorCode[] = [
  'COOKIE_NOT_ALLOWED', 'METHOD_OVERRIDE_NOT_ALLOWED', 'AUTHORIZATION_DUPLICATED', 'INVALID_TOKEN', 'NOT_ACCEPTABLE',
  'UNSUPPORTED_MEDIA_TYPE', 'DUPLICATE_HEADER', 'DUPLICATE_PARAMETER', 'UNKNOWN_PARAMETER', 'VALIDATION_FAILED', 'SERVICE_UNAVAILABLE',
];
/** Token verification, its proof of possession (DPoP) and the SMART scope check: routes with a scope. */
const AUTH: readonly ErrorCode[] = ['MISSING_TOKEN', 'INVALID_TOKEN', 'INVALID_DPOP_PROOF', 'INSUFFICIENT_SCOPE'];
const BODY: readonly ErrorCode[] = ['MALFORMED_JSON'];
const IDEMPOTENT: readonly ErrorCode[] = ['IDEMPOTENCY_IN_PROGRESS', 'IDEMPOTENCY_KEY_REUSED'];
/** `If-None-Exist`: its criteria are a search, and a search may match more than one resource. */
const CONDITIONAL_CREATE: readonly ErrorCode[] = ['INVALID_SEARCH', 'MULTIPLE_MATCHES'];
/** What the resource repository and the handlers answer, by FHIR interaction. */
const INTERACTION: Readonly<Record<RouteDefinition['interaction'], readonly ErrorCode[]>> = {
  capabilities: [],
  read: ['NOT_FOUND', 'GONE'],
  vread: ['NOT_FOUND', 'GONE'],
  'search-type': ['INVALID_SEARCH', 'INVALID_CURSOR'],
  create: ['INVALID_NHI', 'REFERENCE_NOT_FOUND', 'BUSINESS_RULE'],
  update: ['NOT_FOUND', 'GONE', 'ID_MISMATCH', 'INVALID_NHI', 'REFERENCE_NOT_FOUND', 'BUSINESS_RULE', 'PRECONDITION_REQUIRED', 'PRECONDITION_FAILED'],
  delete: ['NOT_FOUND', 'VERSION_CONFLICT'],
};

/** The codes `route` can answer with, in catalogue order. */
export function routeErrorCodes(route: RouteDefinition): ErrorCode[] {
  const codes = new Set<ErrorCode>([
    ...GATEWAY,
    ...(route.apiKey ? API_KEY : []),
    ...HANDLER,
    ...(route.scope ? AUTH : []),
    ...(route.schemas.body ? BODY : []),
    ...(route.idempotency ? IDEMPOTENT : []),
    ...(route.idempotency?.required ? ['IDEMPOTENCY_KEY_REQUIRED' as const] : []),
    ...(route.schemas.headers && 'if-none-exist' in route.schemas.headers ? CONDITIONAL_CREATE : []),
    ...INTERACTION[route.interaction],
  ]);
  return errorCodes.filter((code) => codes.has(code));
}

/** `route`'s codes grouped by the HTTP status they answer with, statuses ascending. */
export function errorCodesByStatus(route: RouteDefinition): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of routeErrorCodes(route)) {
    const { status } = errorSpec(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}
