import type { RouteDefinition } from '@health-api/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { AuthContext } from './jwt-auth/auth-context.js';
import type { ScopeGrant } from './smart-scopes/parse.js';

/**
 * The contract between the middleware chain and an endpoint's business function: what it is
 * given and what it answers. Its own module, so the idempotency layer and the chain both depend
 * on it rather than on each other.
 */

type Schemas<R extends RouteDefinition> = R['schemas'];
/** Path, query and header values arrive as strings (validation never coerces), so only their names matter. */
type Names<R extends RouteDefinition, K extends 'path' | 'query' | 'headers'> = Schemas<R> extends { [P in K]: infer S } ? keyof S & string : never;
type Body<R extends RouteDefinition> = Schemas<R> extends { body: infer S } ? (S extends JSONSchema ? FromSchema<S> : never) : undefined;

/** What a business function receives: validated input and the proven caller. */
export interface BusinessInput<R extends RouteDefinition> {
  params: Record<Names<R, 'path'>, string>;
  /** Every value of each query parameter, in order: a search parameter may repeat (FHIR ANDs them). */
  query: Partial<Record<Names<R, 'query'>, string[]>>;
  /** The headers the route declares, by lower-case name; no other (never Authorization or the API key). */
  headers: Partial<Record<Names<R, 'headers'>, string>>;
  body: Body<R>;
  /** Absent on public routes. */
  auth: AuthContext | undefined;
  /** The caller's grants that allow this route's interaction. */
  access: ScopeGrant[];
  interactionId: string;
  requestId: string;
  /** The absolute URL the API was called at, e.g. `https://api.example.nz/prod`: prefix of every URL an answer carries. */
  baseUrl: string;
  /** Query parameters ignored under FHIR's lenient handling, to be reported to the caller. */
  ignoredParameters: string[];
  sourceIp: string;
  /** Aborted shortly before the Lambda deadline; pass it to SDK calls. */
  signal: AbortSignal;
  /**
   * Writes the audit trail's intent record for a change to the resource with this id; call it
   * (the repository's `beforeWrite` does) after every check and before the data write. Throws
   * 503 when the record cannot be written, so the change is never made unaudited.
   */
  auditIntent: (resourceId: string) => Promise<void>;
  /**
   * On a create sent with an Idempotency-Key: the id the new resource must take (derived from
   * the caller and the key), so a retry after a crash finds the first write instead of adding one.
   */
  newResourceId?: string;
}

export interface BusinessResult {
  statusCode: number;
  body?: unknown;
  /** The body already serialised, for an answer built once and served many times (the CapabilityStatement); wins over `body`. */
  json?: string;
  headers?: Record<string, string>;
  /** References of the resources this answer discloses beyond the route's own (a search's matches); the audit trail records them. */
  disclosed?: readonly string[];
}

export type BusinessFunction<R extends RouteDefinition> = (input: BusinessInput<R>) => Promise<BusinessResult>;

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
