/**
 * The shape of one entry in the route manifest. The manifest is plain data so the infra,
 * the local gateway, the OpenAPI generator and the handlers can all read it without loading
 * handler code.
 */

/** Times one search parameter may be given (FHIR ANDs repeated parameters): each can cost a filter. */
export const MAX_PARAMETER_REPEATS = 4;

/** Whether `name` may repeat on `route`: the search parameters of a search, never result or general parameters. */
export function isRepeatable(route: Pick<RouteDefinition, 'interaction' | 'schemas'>, name: string): boolean {
  return route.interaction === 'search-type' && !name.startsWith('_') && name in (route.schemas.query ?? {});
}

/** Path prefix of every API route (the API's major version); resource URLs start with it. */
export const API_BASE_PATH = '/v1';

/** A JSON schema kept as a literal (`as const`) so request types can be derived from it. */
export type JsonSchema = Readonly<Record<string, unknown>>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** SMART v2 permission letters: create, read, update, delete, search. */
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';

/** FHIR RESTful interaction codes (CapabilityStatement.rest.resource.interaction.code). */
export type Interaction = 'read' | 'vread' | 'update' | 'delete' | 'create' | 'search-type' | 'capabilities';

/**
 * Proof of possession a token must come with (see packages/middleware/src/sender-constraint):
 * `dpop`, a DPoP proof per request (RFC 9449); `mtls`, the client certificate the token is bound
 * to (RFC 8705); `none`, a plain bearer token.
 */
export type SenderConstraint = 'none' | 'dpop' | 'mtls';

export interface RouteSchemas {
  /** Schema of `pathParameters`; properties only, the object wrapper is added. */
  path?: JsonSchema;
  /** Schema of each allowed query parameter; unknown parameters are rejected. */
  query?: JsonSchema;
  /** Schema of headers this route reads, keyed by lower-case name; others pass through unread. */
  headers?: JsonSchema;
  /** Schema of the parsed JSON body; a route without one accepts no body. */
  body?: JsonSchema;
  /**
   * Search parameters a search cannot run without (declared to clients with FHIR's
   * search-parameter-combination extension); the search itself enforces them.
   */
  requiredQuery?: readonly string[];
}

export interface RouteDefinition {
  /** Stable id; also the handler file name in packages/functions/src/handlers. */
  id: string;
  method: HttpMethod;
  /** Path template as API Gateway writes it, e.g. `/v1/Patient/{id}`. */
  path: string;
  interaction: Interaction;
  /** FHIR resource type the route serves, if any. */
  resourceType?: string;
  /** SMART scope needed; absent means the route is public (no token). */
  scope?: { resourceType: string; permission: Permission };
  /** Whether API Gateway demands an `x-api-key` for this route. */
  apiKey: boolean;
  /** Largest accepted body in bytes (0 when the route takes no body). */
  maxBodyBytes: number;
  /** Lambda settings; the timeout stays under API Gateway's 29 s integration limit. */
  timeoutSeconds: number;
  memoryMb: number;
  /** Seconds the (encrypted) stage cache may keep the response; only for public responses. */
  cacheTtlSeconds?: number;
  schemas: RouteSchemas;
  /**
   * Creates that honour an `Idempotency-Key` header (declare it in `schemas.headers`);
   * `required` refuses requests without one.
   */
  idempotency?: { required: boolean };
  /**
   * Proof of possession this route demands beyond the stage's `AUTH_SENDER_CONSTRAINT` (e.g.
   * writes need DPoP); a route never demands less than its stage.
   */
  senderConstraint?: Exclude<SenderConstraint, 'none'>;
}
