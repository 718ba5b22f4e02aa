/**
 * The metrics the functions emit (CloudWatch embedded metric format, through Powertools
 * Metrics): the one list that the metrics middleware, the alarms, the dashboard, the policy
 * checks and the local dashboard all read. Plain data, no dependencies, so infra can import it.
 *
 * Dimensions are bounded by construction: the service, the route id from the manifest and
 * nothing else; the refusal class and the outcome are metric names, never values from a request.
 */
import type { ErrorCode } from './errors.js';

/** Why the API refused a call, as operators group refusals. */
export const refusalMetrics = {
  'authentication-failed': 'AuthenticationFailed',
  'scope-denied': 'ScopeDenied',
  'validation-failed': 'ValidationFailed',
  throttled: 'Throttled',
  'idempotency-conflict': 'IdempotencyConflict',
  'audit-write-failed': 'AuditWriteFailed',
  'dependency-unavailable': 'DependencyUnavailable',
} as const;

export type RefusalClass = keyof typeof refusalMetrics;

/** What became of a call, by the status it was answered with. */
export const outcomeMetrics = {
  success: 'Succeeded',
  'client-error': 'ClientErrors',
  'server-error': 'ServerErrors',
} as const;

export type Outcome = keyof typeof outcomeMetrics;

/** Every call counts once in `Requests` and reports its `Latency` (milliseconds). */
export const REQUESTS_METRIC = 'Requests';
export const LATENCY_METRIC = 'Latency';

export type ApiMetricName = typeof REQUESTS_METRIC | typeof LATENCY_METRIC | (typeof refusalMetrics)[RefusalClass] | (typeof outcomeMetrics)[Outcome];

/** Every metric name the functions can emit. */
export const apiMetricNames: readonly ApiMetricName[] = [
  REQUESTS_METRIC, LATENCY_METRIC, ...Object.values(outcomeMetrics), ...Object.values(refusalMetrics),
];

/** Dimension names of every metric (Powertools adds `service` from the service name). */
export const METRIC_DIMENSIONS = ['service', 'route'] as const;

/** The dimensions of one route's metrics: what an alarm on them names. */
export const routeMetricDimensions = (serviceName: string, routeId: string): Record<(typeof METRIC_DIMENSIONS)[number], string> => ({
  service: serviceName, route: routeId,
});

/** CloudWatch namespace of the API's own metrics: one per deployed stage. */
export const metricsNamespace = (serviceName: string, stage: string): string => `${serviceName}/${stage}`;

/**
 * The class of each error code, decided for every code (the type makes a new code choose).
 * `null`: not a refusal operators alarm on (a missing resource, a version conflict), or one the
 * function never raises itself. Some 503s are told apart by their reason: see `refusalClassOf`.
 */
const classOfCode: Record<ErrorCode, RefusalClass | null> = {
  COOKIE_NOT_ALLOWED: 'validation-failed',
  NOT_ACCEPTABLE: 'validation-failed',
  UNSUPPORTED_MEDIA_TYPE: 'validation-failed',
  PAYLOAD_TOO_LARGE: 'validation-failed',
  HEADERS_TOO_LARGE: 'validation-failed',
  AUTHORIZATION_DUPLICATED: 'validation-failed',
  DUPLICATE_PARAMETER: 'validation-failed',
  DUPLICATE_HEADER: 'validation-failed',
  METHOD_OVERRIDE_NOT_ALLOWED: 'validation-failed',
  MISSING_TOKEN: 'authentication-failed',
  INVALID_TOKEN: 'authentication-failed',
  INVALID_DPOP_PROOF: 'authentication-failed',
  INSUFFICIENT_SCOPE: 'scope-denied',
  MALFORMED_JSON: 'validation-failed',
  VALIDATION_FAILED: 'validation-failed',
  NOT_FOUND: null,
  GONE: null,
  INVALID_NHI: 'validation-failed',
  INVALID_SEARCH: 'validation-failed',
  UNKNOWN_PARAMETER: 'validation-failed',
  INVALID_CURSOR: 'validation-failed',
  ID_MISMATCH: 'validation-failed',
  REFERENCE_NOT_FOUND: null,
  BUSINESS_RULE: null,
  PRECONDITION_REQUIRED: null,
  PRECONDITION_FAILED: null,
  MULTIPLE_MATCHES: null,
  VERSION_CONFLICT: null,
  IDEMPOTENCY_KEY_REQUIRED: 'validation-failed',
  IDEMPOTENCY_IN_PROGRESS: 'idempotency-conflict',
  IDEMPOTENCY_KEY_REUSED: 'idempotency-conflict',
  MALFORMED_REQUEST: 'validation-failed',
  ROUTE_NOT_FOUND: null,
  API_KEY_INVALID: 'authentication-failed',
  ACCESS_DENIED: null,
  THROTTLED: 'throttled',
  QUOTA_EXCEEDED: 'throttled',
  BAD_GATEWAY: null,
  GATEWAY_TIMEOUT: null,
  SERVICE_UNAVAILABLE: 'dependency-unavailable',
  INTERNAL_ERROR: null,
};

/**
 * The refusal class of an error. A 503 is an audit write that failed (`audit-…` reasons), a
 * dependency that throttled us (as the SDK classifies it), or another unavailable dependency.
 */
export function refusalClassOf(code: ErrorCode, reason?: string): RefusalClass | null {
  if (code === 'SERVICE_UNAVAILABLE') {
    if (reason?.startsWith('audit-')) return 'audit-write-failed';
    if (reason === 'dependency-throttled') return 'throttled';
  }
  return classOfCode[code];
}

export function outcomeOf(status: number): Outcome {
  if (status >= 500) return 'server-error';
  return status >= 400 ? 'client-error' : 'success';
}
