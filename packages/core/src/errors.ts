/**
 * The one catalogue of errors the API can answer with. Every refusal, whether raised by a
 * middleware, a business function or the gateway, is an ApiError with a stable code from here,
 * rendered as a FHIR OperationOutcome that reveals no input, internals or limits.
 */

/** Code system of our stable error codes; adopters replace it with their own namespace. */
export const ERROR_CODE_SYSTEM = 'https://api.example.health.nz/ns/api-error-code';

/** FHIR R4 IssueType values we use (http://hl7.org/fhir/valueset-issue-type.html). */
type IssueType =
  | 'security' | 'login' | 'forbidden' | 'invalid' | 'structure' | 'required' | 'value'
  | 'not-supported' | 'not-found' | 'conflict' | 'too-costly' | 'throttled' | 'exception'
  | 'timeout' | 'transient' | 'processing' | 'business-rule' | 'duplicate' | 'deleted' | 'multiple-matches' | 'informational';

interface ErrorSpec {
  status: number;
  issue: IssueType;
  message: string;
  /** Headers every answer with this code carries, e.g. the RFC 6750 challenge. */
  headers?: Readonly<Record<string, string>>;
}

const catalogue = {
  // Request guards
  COOKIE_NOT_ALLOWED: { status: 400, issue: 'security', message: 'Cookies are not accepted. Authenticate with a bearer token.' },
  NOT_ACCEPTABLE: { status: 406, issue: 'not-supported', message: 'The API only produces application/fhir+json or application/json.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, issue: 'not-supported', message: 'The request body must be application/fhir+json or application/json.' },
  PAYLOAD_TOO_LARGE: { status: 413, issue: 'too-costly', message: 'The request body is too large.' },
  HEADERS_TOO_LARGE: { status: 431, issue: 'too-costly', message: 'The request headers are too large.' },
  AUTHORIZATION_DUPLICATED: { status: 400, issue: 'security', message: 'Send exactly one Authorization header.' },
  DUPLICATE_PARAMETER: { status: 400, issue: 'invalid', message: 'A query parameter was repeated.' },
  DUPLICATE_HEADER: { status: 400, issue: 'invalid', message: 'A request header that takes one value was repeated.' },
  METHOD_OVERRIDE_NOT_ALLOWED: { status: 400, issue: 'security', message: 'Method override headers are not accepted.' },
  // Authentication and authorisation
  MISSING_TOKEN: { status: 401, issue: 'login', message: 'A bearer token is required.', headers: { 'WWW-Authenticate': 'Bearer' } },
  INVALID_TOKEN: { status: 401, issue: 'login', message: 'The bearer token is not valid.', headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } },
  // RFC 9449: a DPoP proof that is missing, malformed, replayed or made for another request or key.
  INVALID_DPOP_PROOF: { status: 401, issue: 'login', message: 'The DPoP proof is not valid.', headers: { 'WWW-Authenticate': 'DPoP error="invalid_dpop_proof"' } },
  INSUFFICIENT_SCOPE: { status: 403, issue: 'forbidden', message: 'The token does not grant access to this interaction.', headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' } },
  // Validation
  MALFORMED_JSON: { status: 400, issue: 'structure', message: 'The request body is not valid JSON.' },
  VALIDATION_FAILED: { status: 400, issue: 'invalid', message: 'The request failed validation.' },
  // Resources
  NOT_FOUND: { status: 404, issue: 'not-found', message: 'The resource was not found.' },
  GONE: { status: 410, issue: 'deleted', message: 'The resource has been deleted.' },
  INVALID_NHI: { status: 400, issue: 'value', message: 'The NHI number is not valid.' },
  INVALID_SEARCH: { status: 400, issue: 'invalid', message: 'The search parameters are not supported or not valid.' },
  UNKNOWN_PARAMETER: { status: 400, issue: 'not-supported', message: 'A query parameter is not supported by this operation (sent with Prefer: handling=strict).' },
  INVALID_CURSOR: { status: 400, issue: 'invalid', message: 'The paging cursor is not valid or has expired.' },
  ID_MISMATCH: { status: 400, issue: 'invalid', message: 'The resource id does not match the id in the URL.' },
  REFERENCE_NOT_FOUND: { status: 422, issue: 'processing', message: 'A referenced resource was not found.' },
  BUSINESS_RULE: { status: 422, issue: 'business-rule', message: 'The resource breaks a business rule.' },
  PRECONDITION_REQUIRED: { status: 428, issue: 'required', message: 'This update requires an If-Match header with the current ETag.' },
  PRECONDITION_FAILED: { status: 412, issue: 'conflict', message: 'The resource has changed since the version given in If-Match.' },
  MULTIPLE_MATCHES: { status: 412, issue: 'multiple-matches', message: 'More than one resource matches the If-None-Exist criteria.' },
  VERSION_CONFLICT: { status: 409, issue: 'conflict', message: 'The resource was changed by another request. Retry with the current version.' },
  // Idempotency
  IDEMPOTENCY_KEY_REQUIRED: { status: 400, issue: 'required', message: 'This operation requires an Idempotency-Key header.' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, issue: 'conflict', message: 'A request with this Idempotency-Key is still being processed. Retry later.', headers: { 'Retry-After': '1' } },
  IDEMPOTENCY_KEY_REUSED: { status: 422, issue: 'business-rule', message: 'This Idempotency-Key was already used with a different request.' },
  // Gateway
  MALFORMED_REQUEST: { status: 400, issue: 'structure', message: 'The request is not valid HTTP.' },
  ROUTE_NOT_FOUND: { status: 404, issue: 'not-found', message: 'There is no such operation.' },
  API_KEY_INVALID: { status: 403, issue: 'forbidden', message: 'A valid API key is required.' },
  ACCESS_DENIED: { status: 403, issue: 'forbidden', message: 'The request was refused.' },
  THROTTLED: { status: 429, issue: 'throttled', message: 'Too many requests. Retry later.' },
  QUOTA_EXCEEDED: { status: 429, issue: 'throttled', message: 'The request quota is used up. Retry later.' },
  BAD_GATEWAY: { status: 502, issue: 'exception', message: 'The service could not produce a valid response.' },
  GATEWAY_TIMEOUT: { status: 504, issue: 'timeout', message: 'The service did not answer in time.' },
  SERVICE_UNAVAILABLE: { status: 503, issue: 'transient', message: 'The service is temporarily unavailable. Retry later.' },
  // Anything unexpected
  INTERNAL_ERROR: { status: 500, issue: 'exception', message: 'An unexpected error occurred.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof catalogue;

export const errorCodes = Object.keys(catalogue) as ErrorCode[];

export function errorSpec(code: ErrorCode): ErrorSpec {
  return catalogue[code];
}

export interface ApiErrorOptions {
  /** Paths of the failing fields (FHIRPath-like or JSON pointers); never the submitted values. */
  fields?: string[];
  headers?: Record<string, string>;
  /** Why, for the security log only; never sent to the caller. */
  reason?: string;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: string[];
  readonly headers: Record<string, string>;
  readonly reason: string | undefined;

  constructor(code: ErrorCode, options: ApiErrorOptions = {}) {
    super(catalogue[code].message, { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = catalogue[code].status;
    this.fields = options.fields ?? [];
    // Object.assign, not a spread literal: the spread form is several µs slower on Node 20.
    this.headers = Object.assign({}, (catalogue[code] as ErrorSpec).headers, options.headers);
    this.reason = options.reason;
  }
}

/**
 * What a successful search tells the caller beside its matches, as an OperationOutcome entry of
 * the Bundle (`search.mode = outcome`).
 */
const notes = {
  PARAMETER_IGNORED: { severity: 'warning', issue: 'not-supported', message: 'These parameters are not supported and were ignored (Prefer: handling=strict refuses them).' },
  IDENTIFIER_NOT_INDEXED: { severity: 'information', issue: 'informational', message: 'Only NHI identifiers are searchable; identifiers of other systems match nothing.' },
} as const satisfies Record<string, { severity: 'warning' | 'information'; issue: IssueType; message: string }>;

export type NoteCode = keyof typeof notes;

export interface SearchNote {
  code: NoteCode;
  /** Parameter names the note is about (never their values). */
  expression?: string[];
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: Array<{
    severity: 'error' | 'fatal' | 'warning' | 'information';
    code: IssueType;
    details: { coding: Array<{ system: string; code: string }>; text: string };
    expression?: string[];
  }>;
}

export function noteOutcome(found: readonly SearchNote[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: found.map(({ code, expression = [] }) => ({
      severity: notes[code].severity,
      code: notes[code].issue,
      details: { coding: [{ system: ERROR_CODE_SYSTEM, code }], text: notes[code].message },
      ...(expression.length > 0 ? { expression } : {}),
    })),
  };
}

export function operationOutcome(code: ErrorCode, fields: string[] = []): OperationOutcome {
  const spec = catalogue[code];
  return {
    resourceType: 'OperationOutcome',
    issue: [{
      severity: spec.status >= 500 ? 'fatal' : 'error',
      code: spec.issue,
      details: { coding: [{ system: ERROR_CODE_SYSTEM, code }], text: spec.message },
      ...(fields.length > 0 ? { expression: fields } : {}),
    }],
  };
}
