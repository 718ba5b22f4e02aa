import type { BusinessInput } from '@health-api/middleware';
import { secureHandler } from '@health-api/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createPublicKey, verify } from 'node:crypto';
import { lambdaContext } from '../support/events.js';
import { configureAuth } from '../support/handler-env.js';
import { startTestIssuer } from '../support/issuer.js';
import { business, route, unauditedRoute, validators } from './business.js';
import { routeEvent, scopeFor } from './events.js';
import { nullLogSink } from './log-sink.js';
import type { BenchSizes } from './sizes.js';
import type { Latency } from './stats.js';
import { round } from './stats.js';
import { expectOk, timeInRounds } from './rounds.js';

export interface PipelineResult {
  route: string;
  bare: Latency;
  /** The chain without the audit trail, the same token on every request: the verified-token cache answers. */
  chainRepeatToken: Latency;
  /** The chain without the audit trail, a token it has not seen: the signature is checked every time. */
  chainFreshToken: Latency;
  /** The whole chain of the real route, repeat token: one audit record written to DynamoDB (DynamoDB Local) per request. */
  chainWithAudit: Latency;
  /** One ES256 signature check with node:crypto alone, for scale. */
  signatureAlone: Latency;
  /** Chain minus bare, µs per request. */
  overheadWithoutSignatureUs: { p50: number; p99: number };
  /** What the audit write adds to the chain at p50. */
  auditCostUsP50: number;
  overheadWithSignatureUs: { p50: number; p99: number };
  /** Share of the fresh-token overhead that the signature check (and its cache miss) takes, at p50. */
  signatureShareOfOverhead: number;
  /** Chain over bare. */
  ratioRepeatToken: { p50: number; p99: number };
  ratioFreshToken: { p50: number; p99: number };
  /** Log bytes each chained request wrote to the null sink: proof the logging cost is in. */
  logBytesPerRequest: number;
}

const neverAborted = new AbortController().signal;

/** The business function called directly on the event, as a handler without the chain would. */
export async function bare(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const result = await business({
    params: event.pathParameters as BusinessInput<typeof route>['params'],
    query: {},
    headers: event.headers,
    body: undefined,
    auth: undefined,
    access: [],
    interactionId: '',
    requestId: event.requestContext.requestId,
    baseUrl: '',
    ignoredParameters: [],
    sourceIp: event.requestContext.identity.sourceIp,
    signal: neverAborted,
    auditIntent: () => Promise.reject(new Error('a read writes nothing')),
  });
  return { statusCode: result.statusCode, headers: result.headers ?? {}, body: JSON.stringify(result.body) };
}

export async function pipelineBench(sizes: BenchSizes): Promise<PipelineResult> {
  // DynamoDB (for the audit trail) is the runner's DynamoDB Local, in its own process as in AWS.
  const issuer = await startTestIssuer();
  try {
    configureAuth(issuer);
    const handler = secureHandler<typeof route>(unauditedRoute as typeof route, business, validators);
    const auditedHandler = secureHandler(route, business, validators);
    // One context for the run: its deadline is far away, as at the start of a real invocation.
    const context = lambdaContext(3_600_000);
    const scope = scopeFor(route);
    const repeatToken = await issuer.token({ scope });
    const freshTokens = await Promise.all(Array.from({ length: sizes.freshTokens }, () => issuer.token({ scope })));
    let next = 0;
    const freshToken = () => freshTokens[next++ % freshTokens.length] as string;

    const [header64, payload64, signature64] = repeatToken.split('.') as [string, string, string];
    const publicKey = createPublicKey({ key: issuer.signingKey.publicJwk, format: 'jwk' });
    const signed = Buffer.from(`${header64}.${payload64}`);
    const signature = Buffer.from(signature64, 'base64url');

    // Warm the JWKS cache and check each variant answers 200 before timing it.
    expectOk(await bare(routeEvent(route, repeatToken)), 'bare');
    const sink = nullLogSink();
    let chainedRequests = 0;
    try {
      expectOk(await handler(routeEvent(route, repeatToken), context), 'chain with a repeat token');
      expectOk(await handler(routeEvent(route, freshToken()), context), 'chain with a fresh token');
      expectOk(await auditedHandler(routeEvent(route, repeatToken), context), 'chain with the audit trail');
      const bytesBefore = sink.bytes();

      // A new event per request, as Lambda gives; building it costs the same in every task.
      const latency = await timeInRounds(sizes, {
        bare: () => bare(routeEvent(route, repeatToken)),
        'chain, repeat token': async () => { chainedRequests += 1; await handler(routeEvent(route, repeatToken), context); },
        'chain, fresh token': async () => { chainedRequests += 1; await handler(routeEvent(route, freshToken()), context); },
        'chain with audit': async () => { chainedRequests += 1; await auditedHandler(routeEvent(route, repeatToken), context); },
        'signature alone': () => verify('sha256', signed, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature),
      });
      const logBytes = sink.bytes() - bytesBefore;
      const bareLatency = latency('bare');
      const repeat = latency('chain, repeat token');
      const fresh = latency('chain, fresh token');
      const audited = latency('chain with audit');
      const minus = (a: Latency, b: Latency) => ({ p50: round(a.p50Us - b.p50Us), p99: round(a.p99Us - b.p99Us) });
      const over = (a: Latency, b: Latency) => ({ p50: round(a.p50Us / b.p50Us, 2), p99: round(a.p99Us / b.p99Us, 2) });
      return {
        route: `${route.method} ${route.path}`,
        bare: bareLatency,
        chainRepeatToken: repeat,
        chainFreshToken: fresh,
        chainWithAudit: audited,
        signatureAlone: latency('signature alone'),
        overheadWithoutSignatureUs: minus(repeat, bareLatency),
        auditCostUsP50: round(audited.p50Us - repeat.p50Us),
        overheadWithSignatureUs: minus(fresh, bareLatency),
        signatureShareOfOverhead: round((fresh.p50Us - repeat.p50Us) / (fresh.p50Us - bareLatency.p50Us)),
        ratioRepeatToken: over(repeat, bareLatency),
        ratioFreshToken: over(fresh, bareLatency),
        logBytesPerRequest: Math.round(logBytes / Math.max(1, chainedRequests)),
      };
    } finally {
      sink.restore();
    }
  } finally {
    await issuer.close();
  }
}
