import type { ErrorCode, GatewayConfig, RouteDefinition } from '@health-api/core';
import { API_BASE_PATH, errorSpec, operationOutcome } from '@health-api/core';
import type { ApiHandler } from '@health-api/middleware';
import { onMetricsFlush, SECURITY_HEADERS } from '@health-api/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BlockList, isIPv6 } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AccessLogRecord, LogSink } from './access-log.js';
import { consoleSink, writeAccessLog } from './access-log.js';
import { dashboardFiles } from './dashboard/dashboard-page.js';
import { MetricsWindow } from './dashboard/metrics-window.js';
import type { ApiKey, ApiKeyStore } from './api-keys.js';
import type { ListeningServer } from './https-server.js';
import { lambdaContext, proxyEvent } from './proxy-event.js';
import { QuotaCounter, SlidingWindowCounter, TokenBucket } from './rate-limits.js';
import { createRouter } from './router.js';
import { documentationFiles } from '@health-api/openapi';

/** A manifest route and the handler export that serves it. */
export interface RouteBinding {
  route: RouteDefinition;
  handler: ApiHandler;
}

export interface GatewayOptions {
  routes: readonly RouteBinding[];
  apiKeys: ApiKeyStore;
  config: GatewayConfig;
  /** Access-log sink; stdout by default. */
  log?: LogSink;
  /** OAuth endpoints the OpenAPI document names (the local issuer's). */
  oauth?: { authorizationUrl: string; tokenUrl: string };
}

/** API Gateway's names for its own answers (access log `errorResponseType`). */
type GatewayResponseType =
  | 'ACCESS_DENIED' | 'WAF_FILTERED' | 'MISSING_AUTHENTICATION_TOKEN' | 'INVALID_API_KEY' | 'THROTTLED'
  | 'QUOTA_EXCEEDED' | 'REQUEST_TOO_LARGE' | 'BAD_REQUEST_PARAMETERS' | 'INTEGRATION_FAILURE' | 'INTEGRATION_TIMEOUT';

interface Refusal {
  code: ErrorCode;
  type: GatewayResponseType;
  retryAfterMs?: number;
  waf?: boolean;
}

/** Bodies are read up to this multiple of the payload limit before the connection is cut. */
const DRAIN_FACTOR = 2;

function blockListOf(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

/** Bytes of the request line and headers, as API Gateway counts them against its limit. */
function headerBytes(request: IncomingMessage): number {
  let total = Buffer.byteLength(`${request.method} ${request.url} HTTP/${request.httpVersion}\r\n`);
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    total += Buffer.byteLength(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}\r\n`);
  }
  return total;
}

/** The body, or 'too-large' once it passes `limit` (the rest is drained, up to a cap, then cut). */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
    else if (size > limit * DRAIN_FACTOR) break; // leaving the loop destroys the stream
  }
  return size > limit ? 'too-large' : Buffer.concat(chunks);
}

/** `client_id` of a bearer JWT, read only after the handler accepted the token, and only if tame. */
function clientIdOf(authorization: string | undefined): string | null {
  const payload = authorization?.split(' ')[1]?.split('.')[1];
  if (!payload) return null;
  try {
    const clientId = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { client_id?: unknown }).client_id;
    return typeof clientId === 'string' && /^[\w.:-]{1,128}$/.test(clientId) ? clientId : null;
  } catch {
    return null;
  }
}

/** A Lambda proxy result API Gateway would accept; anything else is a 502. */
function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  if (typeof value !== 'object' || value === null) return false;
  const result = value as Record<string, unknown>;
  const scalar = (v: unknown) => ['string', 'number', 'boolean'].includes(typeof v);
  const headersOk = result.headers === undefined || (typeof result.headers === 'object' && result.headers !== null
    && Object.values(result.headers).every(scalar));
  const multiOk = result.multiValueHeaders === undefined || (typeof result.multiValueHeaders === 'object' && result.multiValueHeaders !== null
    && Object.values(result.multiValueHeaders).every((v) => Array.isArray(v) && v.every(scalar)));
  return Number.isInteger(result.statusCode) && (result.statusCode as number) >= 100 && (result.statusCode as number) <= 599
    && (result.body === undefined || result.body === null || typeof result.body === 'string') && headersOk && multiOk;
}

/** Headers API Gateway computes itself, whatever the function returned. */
const RECOMPUTED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

function resultHeaders(result: APIGatewayProxyResult): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = [String(value)];
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name] = values.map(String);
  for (const name of Object.keys(headers)) if (RECOMPUTED_HEADERS.has(name.toLowerCase())) delete headers[name];
  return headers;
}

/** The gateway's own answer: an OperationOutcome with the security headers, never any limit. */
function outcomeResponse(refusal: Pick<Refusal, 'code' | 'retryAfterMs'>, requestId: string) {
  const body = Buffer.from(JSON.stringify(operationOutcome(refusal.code)));
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    'Cache-Control': 'no-store',
    ...errorSpec(refusal.code).headers,
    'x-amzn-RequestId': requestId,
    ...(refusal.retryAfterMs !== undefined ? { 'Retry-After': String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))) } : {}),
  };
  return { status: errorSpec(refusal.code).status, headers, body };
}

type InvokeOutcome = { result: unknown } | { failed: true } | { timedOut: true };

/**
 * Calls the handler as the Lambda service would, up to `timeoutMs`. A late handler keeps running
 * (nothing can stop a promise) but its answer is dropped, as API Gateway drops it.
 */
async function invoke(binding: RouteBinding, event: APIGatewayProxyEvent, timeoutMs: number): Promise<InvokeOutcome> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve()
        .then(() => binding.handler(event, lambdaContext(binding.route)))
        .then((result): InvokeOutcome => ({ result }), (): InvokeOutcome => ({ failed: true })),
      new Promise<InvokeOutcome>((resolve) => { timer = setTimeout(() => resolve({ timedOut: true }), timeoutMs); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function sourceIpOf(socket: { remoteAddress?: string | undefined }): string {
  return (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

/**
 * The local API Gateway + WAF on a listening HTTPS server. Per request, in API Gateway's order:
 * header size, WAF IP lists and per-IP rate, payload size (and WAF body size), route, API key,
 * usage-plan and stage throttles, quota; then the handler, with the route's timeout and the
 * response checks of the Lambda proxy integration. All numbers come from `config`.
 */
export function serveGateway(listening: ListeningServer, options: GatewayOptions): { baseUrl: string } {
  const { config, apiKeys } = options;
  const log = options.log ?? consoleSink;
  const route = createRouter(options.routes);
  const domainName = new URL(listening.origin).host;
  // The OpenAPI document and the docs page, built once from the same manifest.
  const documentation = documentationFiles(options.routes.map((binding) => binding.route), { serverUrl: listening.origin, ...options.oauth });
  // The local metrics dashboard (/_dashboard): the functions' EMF documents of the last minutes.
  const metricsWindow = new MetricsWindow();
  listening.server.on('close', onMetricsFlush((emf) => metricsWindow.record(emf)));
  const dashboard = dashboardFiles(metricsWindow);
  const allow = config.waf.allowIps.length > 0 ? blockListOf(config.waf.allowIps) : undefined;
  const deny = blockListOf(config.waf.denyIps);
  const wafRate = new SlidingWindowCounter(config.waf.ratePerIp, config.waf.windowSeconds * 1000);
  const stageBucket = new TokenBucket(config.stageThrottle);
  const planBuckets = new Map<string, TokenBucket>();
  const quotas = new Map<string, QuotaCounter>();
  const once = <T>(map: Map<string, T>, key: string, create: () => T): T => {
    if (!map.has(key)) map.set(key, create());
    return map.get(key) as T;
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const receivedAt = new Date();
    const requestId = randomUUID();
    const record: AccessLogRecord = {
      requestId, ip: sourceIpOf(request.socket), requestTime: receivedAt.toISOString(), httpMethod: request.method ?? '',
      resourcePath: null, status: 0, protocol: `HTTP/${request.httpVersion}`, responseLength: 0, responseLatency: 0,
      integrationLatency: null, apiKeyId: null, clientId: null, wafResponseCode: null, errorResponseType: null,
    };
    const send = (status: number, headers: Record<string, string | string[]>, body: Buffer) => {
      response.writeHead(status, { ...headers, 'Content-Length': String(body.length) });
      response.end(body);
      Object.assign(record, { status, responseLength: body.length, responseLatency: Math.round(performance.now() - started) });
      writeAccessLog(log, record);
    };
    const refuse = (refusal: Refusal) => {
      const answer = outcomeResponse(refusal, requestId);
      record.errorResponseType = refusal.type;
      if (refusal.waf) record.wafResponseCode = 'BLOCK';
      send(answer.status, answer.headers, answer.body);
    };

    // Front door: what API Gateway and WAF refuse before looking at the route.
    if (headerBytes(request) > config.limits.maxHeaderBytes) return refuse({ code: 'HEADERS_TOO_LARGE', type: 'REQUEST_TOO_LARGE' });
    if ((allow && !allow.check(record.ip)) || deny.check(record.ip)) return refuse({ code: 'ACCESS_DENIED', type: 'WAF_FILTERED', waf: true });
    if (wafRate.take(record.ip) > 0) return refuse({ code: 'ACCESS_DENIED', type: 'WAF_FILTERED', waf: true });
    const body = await readBody(request, config.limits.maxPayloadBytes);
    if (body === 'too-large') return refuse({ code: 'PAYLOAD_TOO_LARGE', type: 'REQUEST_TOO_LARGE' });
    // As the deployed WAF body rule answers: one status for an oversized body at every layer.
    if (body.length > config.waf.maxBodyBytes) return refuse({ code: 'PAYLOAD_TOO_LARGE', type: 'WAF_FILTERED', waf: true });

    const url = new URL(request.url ?? '/', 'https://localhost');
    const file = request.method === 'GET' ? documentation.get(url.pathname) ?? dashboard(url.pathname) : undefined;
    if (file) return send(200, { ...file.headers, 'x-amzn-RequestId': requestId }, file.body);
    const match = route(request.method ?? '', url.pathname);
    if (!match) return refuse({ code: 'ROUTE_NOT_FOUND', type: 'MISSING_AUTHENTICATION_TOKEN' });
    const definition = match.binding.route;
    record.resourcePath = definition.path;

    // Usage plans: the key decides the plan; public routes only meet the stage throttle.
    let key: ApiKey | undefined;
    if (definition.apiKey) {
      const presented = request.headersDistinct['x-api-key'];
      key = presented?.length === 1 ? apiKeys.find(presented[0] as string) : undefined;
      if (!key?.enabled) return refuse({ code: 'API_KEY_INVALID', type: 'INVALID_API_KEY' });
      record.apiKeyId = key.id;
      const plan = config.usagePlans[key.plan];
      const planWait = once(planBuckets, key.id, () => new TokenBucket(plan.throttle)).take();
      if (planWait > 0) return refuse({ code: 'THROTTLED', type: 'THROTTLED', retryAfterMs: planWait });
    }
    const stageWait = stageBucket.take();
    if (stageWait > 0) return refuse({ code: 'THROTTLED', type: 'THROTTLED', retryAfterMs: stageWait });
    if (key) {
      const { quota } = config.usagePlans[key.plan];
      const quotaWait = once(quotas, key.id, () => new QuotaCounter(quota)).take();
      if (quotaWait > 0) return refuse({ code: 'QUOTA_EXCEEDED', type: 'QUOTA_EXCEEDED', retryAfterMs: quotaWait });
    }

    // The Lambda proxy integration.
    const event = proxyEvent({
      request, route: definition, path: url.pathname, query: url.searchParams, pathParameters: match.pathParameters,
      body, requestId, sourceIp: record.ip, apiKeyId: key?.id ?? null, receivedAt, domainName,
    });
    const integrationStarted = performance.now();
    const outcome = await invoke(match.binding, event, Math.min(definition.timeoutSeconds * 1000, config.limits.integrationTimeoutMs));
    record.integrationLatency = Math.round(performance.now() - integrationStarted);
    if ('timedOut' in outcome) return refuse({ code: 'GATEWAY_TIMEOUT', type: 'INTEGRATION_TIMEOUT' });
    if ('failed' in outcome || !isProxyResult(outcome.result)) return refuse({ code: 'BAD_GATEWAY', type: 'INTEGRATION_FAILURE' });
    const result = outcome.result;
    if (Buffer.byteLength(JSON.stringify(result)) > config.limits.maxResponseBytes) {
      return refuse({ code: 'BAD_GATEWAY', type: 'INTEGRATION_FAILURE' });
    }
    if (definition.scope && result.statusCode !== 401) record.clientId = clientIdOf(request.headers.authorization);
    const responseBody = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
    send(result.statusCode, { ...resultHeaders(result), 'x-amzn-RequestId': requestId }, responseBody);
  }

  /** Requests Node cannot parse (or whose headers pass its own cap) never reach `handle`. */
  function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    if (!socket.writable) return void socket.destroy();
    const requestId = randomUUID();
    const code: ErrorCode = error.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'MALFORMED_REQUEST';
    const answer = outcomeResponse({ code }, requestId);
    const head = Object.entries({ ...answer.headers, 'Content-Length': String(answer.body.length), Connection: 'close' })
      .map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${answer.status} ${code === 'HEADERS_TOO_LARGE' ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n${head}\r\n`), answer.body]));
    writeAccessLog(log, {
      requestId, ip: sourceIpOf(socket as Duplex & { remoteAddress?: string }), requestTime: new Date().toISOString(), httpMethod: '',
      resourcePath: null, status: answer.status, protocol: 'HTTP/1.1', responseLength: answer.body.length, responseLatency: 0,
      integrationLatency: null, apiKeyId: null, clientId: null, wafResponseCode: null,
      errorResponseType: code === 'HEADERS_TOO_LARGE' ? 'REQUEST_TOO_LARGE' : 'BAD_REQUEST_PARAMETERS',
    });
  }

  listening.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) {
        const answer = outcomeResponse({ code: 'INTERNAL_ERROR' }, randomUUID());
        response.writeHead(answer.status, answer.headers).end(answer.body);
      } else response.destroy();
    });
  });
  listening.server.on('clientError', onClientError);
  return { baseUrl: `${listening.origin}${API_BASE_PATH}` };
}
