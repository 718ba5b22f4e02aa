import type { RouteDefinition } from '@health-api/core';
import { ApiError, config } from '@health-api/core';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { auditTrailMiddleware, logSealFailure } from './audit-trail/index.js';
import { baseUrlOf } from './base-url.js';
import { errorResponse } from './error-response/index.js';
import type { AuthContext } from './jwt-auth/auth-context.js';
import { jwtAuth } from './jwt-auth/index.js';
import type { AccessTokenVerifier } from './jwt-auth/verifier.js';
import { createAccessTokenVerifier } from './jwt-auth/verifier.js';
import { requestLogging } from './logging/index.js';
import { requestMetrics } from './metrics/index.js';
import { queryParameters } from './query-parameters/index.js';
import { requestGuards } from './request-guards/index.js';
import { headerNormaliser } from './request-headers/index.js';
import type { RequestState } from './request-state.js';
import { requestValidation } from './request-validation/index.js';
import { responseHeaders } from './response-headers/index.js';
import { requestTracing } from './tracing/index.js';
import type { ScopeGrant } from './smart-scopes/parse.js';
import { smartScopes } from './smart-scopes/index.js';

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
  headers?: Record<string, string>;
  /** References of the resources this answer discloses beyond the route's own (a search's matches); the audit trail records them. */
  disclosed?: readonly string[];
}

export type BusinessFunction<R extends RouteDefinition> = (input: BusinessInput<R>) => Promise<BusinessResult>;

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Answer this long before the Lambda deadline, so the caller gets a 504 OperationOutcome. */
const DEADLINE_MARGIN_MS = 500;

/**
 * Code only some routes need is loaded on their first request, not at import: the metadata
 * route never loads the DynamoDB or idempotency code, which keeps its cold start short.
 */
const auditTrail = async () => (await import('@health-api/core/audit')).auditTrail({ onSealFailure: logSealFailure });

function lazyIdempotent<R extends RouteDefinition>(route: R, business: BusinessFunction<R>) {
  let wrapped: ((input: BusinessInput<R>, context: Context) => Promise<BusinessResult>) | undefined;
  return async (input: BusinessInput<R>, context: Context): Promise<BusinessResult> => {
    wrapped ??= (await import('./idempotency/index.js')).idempotent(route, business);
    return wrapped(input, context);
  };
}

/** The multi-value map, or the single values as one-element lists where a caller built only that map. */
const queryValuesOf = (event: APIGatewayProxyEvent): Record<string, string[]> => (event.multiValueQueryStringParameters
  ?? Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).map(([name, value]) => [name, [value as string]]))) as Record<string, string[]>;

/** Routes without a resource type (the metadata route) have no audit trail and change nothing. */
const noAuditTrail = (): Promise<void> => Promise.reject(new Error('this route has no audit trail'));

/** middy hands `internal` to middlewares only; the handler finds it by its event. */
const states = new WeakMap<APIGatewayProxyEvent, RequestState>();

let sharedVerifier: AccessTokenVerifier | undefined;
/** One verifier (and so one JWKS cache) per container, built on first use. */
const verifier = (): AccessTokenVerifier => (sharedVerifier ??= createAccessTokenVerifier(config().auth));

/**
 * The only way to write an endpoint: a route from the manifest plus its business function.
 * Every request passes, in order: the header normaliser, tracing, metrics, logging, the audit trail and response
 * headers (around everything), request guards, token verification, scope check, unknown query parameters
 * (FHIR lenient or strict handling), validation; then the business
 * function. Errors at any step become OperationOutcome answers.
 */
export function secureHandler<R extends RouteDefinition>(route: R, business: BusinessFunction<R>): ApiHandler {
  const declared = Object.keys(route.schemas.headers ?? {});
  // Validated by now; sent at most once (the guards refuse a repeat).
  const headersOf = (event: APIGatewayProxyEvent) => Object.fromEntries(declared.flatMap((name) => {
    const value = event.headers[name];
    return value === undefined ? [] : [[name, value]];
  })) as BusinessInput<R>['headers'];
  // Routes that declare idempotency run their business function through the idempotency layer.
  const execute: (input: BusinessInput<R>, context: Context) => Promise<BusinessResult> = route.idempotency ? lazyIdempotent(route, business) : business;
  const run = async (event: APIGatewayProxyEvent, context: Context, { signal }: { signal: AbortSignal }): Promise<APIGatewayProxyResult> => {
    const state = states.get(event) ?? {};
    const result = await execute({
      params: (event.pathParameters ?? {}) as BusinessInput<R>['params'],
      query: queryValuesOf(event) as BusinessInput<R>['query'],
      headers: headersOf(event),
      body: event.body as unknown as BusinessInput<R>['body'], // parsed and validated by now
      auth: state.auth,
      access: state.access ?? [],
      interactionId: state.interactionId ?? '',
      requestId: event.requestContext?.requestId ?? '',
      baseUrl: baseUrlOf(event),
      ignoredParameters: state.ignoredParameters ?? [],
      sourceIp: event.requestContext?.identity?.sourceIp ?? '',
      signal,
      auditIntent: state.auditIntent ?? noAuditTrail,
    }, context);
    if (result.disclosed) state.disclosed = result.disclosed;
    return {
      statusCode: result.statusCode,
      headers: result.headers ?? {},
      body: result.body === undefined ? '' : JSON.stringify(result.body),
    };
  };
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context, RequestState>(run, {
    timeoutEarlyInMillis: DEADLINE_MARGIN_MS,
    timeoutEarlyResponse: () => {
      throw new ApiError('GATEWAY_TIMEOUT', { reason: 'deadline' });
    },
  })
    .use(headerNormaliser)
    .use(requestTracing(route))
    .use(requestMetrics(route))
    .use(requestLogging(route))
    .use(auditTrailMiddleware(route, auditTrail))
    .use(responseHeaders(route))
    .use(errorResponse())
    .use({ before: (r) => { states.set(r.event, r.internal); } })
    .use(requestGuards(route, { maxAuthorizationLength: () => config().auth.maxAuthorizationLength }))
    .use(jwtAuth(route, verifier))
    .use(smartScopes(route))
    .use(queryParameters(route))
    .use(requestValidation(route));
  return (event, context) => handler(event, context);
}
