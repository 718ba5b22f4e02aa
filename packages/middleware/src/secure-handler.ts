import type { RouteDefinition } from '@health-api/core';
import { ApiError, config } from '@health-api/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { auditTrailMiddleware, logSealFailure } from './audit-trail/index.js';
import { baseUrlOf } from './base-url.js';
import type { ApiHandler, BusinessFunction, BusinessInput, BusinessResult } from './business-contract.js';
import { errorResponse } from './error-response/index.js';
import { jwtAuth } from './jwt-auth/index.js';
import type { AccessTokenVerifier } from './jwt-auth/verifier.js';
import { requestLogging } from './logging/index.js';
import { logger } from './logging/logger.js';
import { requestMetrics } from './metrics/index.js';
import { queryParameters } from './query-parameters/index.js';
import { requestGuards } from './request-guards/index.js';
import { headerNormaliser } from './request-headers/index.js';
import type { RequestState } from './request-state.js';
import type { ValidatorsLoader } from './request-validation/compiled-validator.js';
import { requestValidation } from './request-validation/index.js';
import { responseHeaders } from './response-headers/index.js';
import { requestTracing } from './tracing/index.js';
import { smartScopes } from './smart-scopes/index.js';

/** Answer this long before the Lambda deadline, so the caller gets a 504 OperationOutcome. */
const DEADLINE_MARGIN_MS = 500;

/**
 * Code only some routes need is loaded on their first request, not at import: the metadata
 * route never loads the DynamoDB or idempotency code, which keeps its cold start short.
 */
let auditTrailModule: ReturnType<typeof importAuditTrail> | undefined;
const importAuditTrail = () => import('@health-api/core/audit');
// Imported once: each import() call resolves the specifier again, on every request.
const auditTrail = async () => (await (auditTrailModule ??= importAuditTrail())).auditTrail({ onSealFailure: logSealFailure });

function lazyIdempotent<R extends RouteDefinition>(route: R, business: BusinessFunction<R>) {
  let wrapped: ((input: BusinessInput<R>, context: Context) => Promise<BusinessResult>) | undefined;
  return async (input: BusinessInput<R>, context: Context): Promise<BusinessResult> => {
    wrapped ??= (await import('./idempotency/index.js')).idempotent(route, business);
    return wrapped(input, context);
  };
}

/** The multi-value map, or the single values as one-element lists where a caller built only that map. */
const queryValuesOf = (event: APIGatewayProxyEvent): Record<string, string[]> => (event.multiValueQueryStringParameters
  ?? (event.queryStringParameters ? Object.fromEntries(Object.entries(event.queryStringParameters).map(([name, value]) => [name, [value as string]])) : {})) as Record<string, string[]>;

/** Routes without a resource type (the metadata route) have no audit trail and change nothing. */
const noAuditTrail = (): Promise<void> => Promise.reject(new Error('this route has no audit trail'));

/**
 * middy hands `internal` to middlewares only; what a handler gets from them goes on
 * `request.context` (middy's idiom, as its secrets middlewares do), which is the handler's second argument.
 */
type StateContext = Context & { requestState?: RequestState };

let sharedVerifier: Promise<AccessTokenVerifier> | undefined;
/**
 * One verifier (and so one JWKS cache) per container, built on first use. aws-jwt-verify and the
 * token cache load with it, so a public route (metadata) never loads them.
 */
const verifier = (): Promise<AccessTokenVerifier> =>
  (sharedVerifier ??= import('./jwt-auth/verifier.js').then((m) => m.createAccessTokenVerifier(config().auth)));

/**
 * In Lambda (whose environment is complete before the module loads) the issuer's keys are
 * fetched during init, so the first request does not wait for them; an issuer that is down
 * fails nothing here, the request still answers 503.
 */
function prefetchIssuerKeys(): void {
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME) return;
  // A configuration that cannot be read fails the first request, with its own error.
  verifier().then((v) => v.prefetch(), () => undefined);
}

/**
 * The only way to write an endpoint: a route from the manifest plus its business function and
 * its generated validators (`() => import('@health-api/middleware/validators/<route id>')`).
 * Every request passes, in order: the header normaliser, tracing, metrics, logging, the audit trail and response
 * headers (around everything), request guards, token verification, scope check, unknown query parameters
 * (FHIR lenient or strict handling), validation; then the business
 * function. Errors at any step become OperationOutcome answers.
 */
export function secureHandler<R extends RouteDefinition>(route: R, business: BusinessFunction<R>, validators: ValidatorsLoader): ApiHandler {
  const declared = Object.keys(route.schemas.headers ?? {});
  // Validated by now; sent at most once (the guards refuse a repeat).
  const headersOf = (event: APIGatewayProxyEvent) => (declared.length === 0 ? {} : Object.fromEntries(declared.flatMap((name) => {
    const value = event.headers[name];
    return value === undefined ? [] : [[name, value]];
  }))) as BusinessInput<R>['headers'];
  // Routes that declare idempotency run their business function through the idempotency layer.
  const execute: (input: BusinessInput<R>, context: Context) => Promise<BusinessResult> = route.idempotency ? lazyIdempotent(route, business) : business;
  if (route.scope) prefetchIssuerKeys();
  const run = async (event: APIGatewayProxyEvent, context: StateContext, { signal }: { signal: AbortSignal }): Promise<APIGatewayProxyResult> => {
    const state = context.requestState ?? {};
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
      body: result.json ?? (result.body === undefined ? '' : JSON.stringify(result.body)),
    };
  };
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, StateContext, RequestState>(run, {
    timeoutEarlyInMillis: DEADLINE_MARGIN_MS,
    timeoutEarlyResponse: () => {
      throw new ApiError('GATEWAY_TIMEOUT', { reason: 'deadline' });
    },
  })
    .use(headerNormaliser)
    .use(requestTracing(route))
    .use(requestMetrics(route))
    // Powertools adds the invocation (request id, function, cold start) to every log line; never the event.
    .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
    .use(requestLogging(route))
    .use(auditTrailMiddleware(route, auditTrail))
    .use(responseHeaders(route))
    .use(errorResponse())
    .use({ before: (r) => { r.context.requestState = r.internal; } })
    .use(requestGuards(route, { maxAuthorizationLength: () => config().auth.maxAuthorizationLength }))
    .use(jwtAuth(route, verifier))
    .use(smartScopes(route))
    .use(queryParameters(route))
    .use(requestValidation(route, validators));
  // A context of its own per invocation (the runtime's seen through its prototype), so the state
  // set on it never meets another request's, even where a caller reuses one context object.
  return (event, context) => handler(event, Object.create(context) as StateContext);
}
