import type { ErrorCode, GatewayConfig, RouteDefinition } from '@health-api/core';
import { API_BASE_PATH, errorSpec, operationOutcome } from '@health-api/core';
import type { ApiHandler } from '@health-api/middleware';
import { onMetricsFlush, SECURITY_HEADERS } from '@health-api/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BlockList, isIPv6 } from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AccessLogRecord, LogSink } from './access-log.js';
import { consoleSink, writeAccessLog } from './access-log.js';
import { dashboardFiles } from './dashboard/dashboard-page.js';
import { MetricsWindow } from './dashboard/metrics-window.js';
import type { ApiKey, ApiKeyStore } from './api-keys.js';
import type { ListeningServer } from './https-server.js';
import { lambdaContext, proxyEvent } from './proxy-event.js';
import { QuotaCounter, SlidingWindowCounter, TokenBucket } from './rate-limits.js';
import { headerValues, readHead } from './request-head.js';
import { requestTarget } from './request-target.js';
import { isoTime } from './request-time.js';
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

/** The body of a request that has none. */
const NO_BODY = Buffer.alloc(0);

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

const isScalar = (value: unknown): boolean => {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean';
};

/** A Lambda proxy result API Gateway would accept; anything else is a 502. */
function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  if (typeof value !== 'object' || value === null) return false;
  const { statusCode, body, headers, multiValueHeaders } = value as Record<string, unknown>;
  if (!Number.isInteger(statusCode) || (statusCode as number) < 100 || (statusCode as number) > 599) return false;
  if (body !== undefined && body !== null && typeof body !== 'string') return false;
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null) return false;
    for (const header of Object.values(headers)) if (!isScalar(header)) return false;
  }
  if (multiValueHeaders !== undefined) {
    if (typeof multiValueHeaders !== 'object' || multiValueHeaders === null) return false;
    for (const values of Object.values(multiValueHeaders)) if (!Array.isArray(values) || !values.every(isScalar)) return false;
  }
  return true;
}

const RESULT_FIELDS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

const isPlain = (value: unknown) => value === undefined || Object.getPrototypeOf(value) === Object.prototype;

/**
 * Whether the result, serialised as Lambda returns it, passes `limit` bytes. JSON writes one
 * UTF-16 unit as at most 6 bytes (`\uXXXX`), so a plain result of the known fields whose strings
 * are far below the limit is not serialised at all; any other is, in full.
 */
function exceedsResponseLimit(result: APIGatewayProxyResult, limit: number): boolean {
  let known = isPlain(result) && isPlain(result.headers) && isPlain(result.multiValueHeaders)
    && (result.isBase64Encoded === undefined || typeof result.isBase64Encoded === 'boolean');
  for (const name in result) known &&= RESULT_FIELDS.has(name);
  if (!known) return Buffer.byteLength(JSON.stringify(result)) > limit;
  // Plain objects: `for…in` walks their own keys, as `Object.keys` would, without building a list.
  let units = (result.body?.length ?? 0) + 64;
  const { headers = {}, multiValueHeaders = {} } = result;
  for (const name in headers) units += name.length + String(headers[name]).length + 8;
  for (const name in multiValueHeaders) {
    units += name.length + 8;
    for (const value of multiValueHeaders[name] as unknown[]) units += String(value).length + 8;
  }
  return units * 6 > limit && Buffer.byteLength(JSON.stringify(result)) > limit;
}

const REQUEST_ID_HEADER = 'x-amzn-RequestId';

/** Headers API Gateway sets itself, whatever the function returned (in any case). */
const RECOMPUTED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', REQUEST_ID_HEADER.toLowerCase()]);
const RECOMPUTED_LENGTHS = new Set([...RECOMPUTED_HEADERS].map((name) => name.length));

/**
 * The result's headers as `writeHead` takes them (name, value, name, value, …): a name in
 * `multiValueHeaders` replaces its single value, and the request id is the gateway's own.
 */
function resultHeaders(result: APIGatewayProxyResult, requestId: string): string[] {
  const single = result.headers ?? {};
  const multi = result.multiValueHeaders ?? {};
  const list: string[] = [];
  for (const name of Object.keys(single)) {
    if (Object.hasOwn(multi, name)) for (const value of multi[name] as unknown[]) addHeader(list, name, value);
    else addHeader(list, name, single[name]);
  }
  for (const name of Object.keys(multi)) if (!Object.hasOwn(single, name)) for (const value of multi[name] as unknown[]) addHeader(list, name, value);
  list.push(REQUEST_ID_HEADER, requestId);
  return list;
}

function addHeader(list: string[], name: string, value: unknown): void {
  // Only a name of a recomputed one's length is lower-cased (a new string) to be compared.
  if (!RECOMPUTED_LENGTHS.has(name.length) || !RECOMPUTED_HEADERS.has(name.toLowerCase())) list.push(name, String(value));
}

/** An object of headers as a `writeHead` list. */
const headerList = (headers: Record<string, string>): string[] => Object.entries(headers).flat();

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

const TIMED_OUT = Symbol('timed out');
const FAILED = Symbol('failed');
type InvokeOutcome = { result: unknown } | typeof FAILED | typeof TIMED_OUT;

/**
 * Calls the handler as the Lambda service would, up to `timeoutMs`. A late handler keeps running
 * (nothing can stop a promise) but its answer is dropped, as API Gateway drops it.
 */
function invoke(binding: RouteBinding, event: APIGatewayProxyEvent, timeoutMs: number): Promise<InvokeOutcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs, TIMED_OUT);
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(binding.handler(event, lambdaContext(binding.route)));
    } catch {
      clearTimeout(timer);
      return resolve(FAILED);
    }
    pending.then((result) => {
      clearTimeout(timer);
      resolve({ result });
    }, () => {
      clearTimeout(timer);
      resolve(FAILED);
    });
  });
}

/** One request's answer: whichever check answers it, the response and its access-log line are written once. */
class Exchange {
  private readonly started = performance.now();

  constructor(private readonly response: ServerResponse, private readonly log: LogSink, readonly record: AccessLogRecord) {}

  /** `headers` as `writeHead` takes them (name, value, …); the length is the gateway's. */
  send(status: number, headers: string[], body: Buffer): void {
    headers.push('Content-Length', String(body.length));
    this.response.writeHead(status, headers);
    this.response.end(body);
    this.record.status = status;
    this.record.responseLength = body.length;
    this.record.responseLatency = Math.round(performance.now() - this.started);
    writeAccessLog(this.log, this.record);
  }

  refuse(refusal: Refusal): void {
    const answer = outcomeResponse(refusal, this.record.requestId);
    this.record.errorResponseType = refusal.type;
    if (refusal.waf) this.record.wafResponseCode = 'BLOCK';
    this.send(answer.status, headerList(answer.headers), answer.body);
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
  // A connection's source address, and so its WAF IP-list verdict, never changes: read once.
  const peers = new WeakMap<Socket, { ip: string; listed: boolean }>();
  const peerOf = (socket: Socket) => {
    let peer = peers.get(socket);
    if (!peer) {
      const ip = sourceIpOf(socket);
      peer = { ip, listed: Boolean(allow && !allow.check(ip)) || deny.check(ip) };
      peers.set(socket, peer);
    }
    return peer;
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const requestId = randomUUID();
    const peer = peerOf(request.socket);
    const exchange = new Exchange(response, log, {
      requestId, ip: peer.ip, requestTime: isoTime(receivedAt), httpMethod: request.method ?? '',
      resourcePath: null, status: 0, protocol: `HTTP/${request.httpVersion}`, responseLength: 0, responseLatency: 0,
      integrationLatency: null, apiKeyId: null, clientId: null, wafResponseCode: null, errorResponseType: null,
    });
    const { record } = exchange;

    // Front door: what API Gateway and WAF refuse before looking at the route.
    const head = readHead(request);
    if (head.bytes > config.limits.maxHeaderBytes) return exchange.refuse({ code: 'HEADERS_TOO_LARGE', type: 'REQUEST_TOO_LARGE' });
    if (peer.listed) return exchange.refuse({ code: 'ACCESS_DENIED', type: 'WAF_FILTERED', waf: true });
    if (wafRate.take(record.ip) > 0) return exchange.refuse({ code: 'ACCESS_DENIED', type: 'WAF_FILTERED', waf: true });
    const body = head.hasBody ? await readBody(request, config.limits.maxPayloadBytes) : NO_BODY;
    if (body === 'too-large') return exchange.refuse({ code: 'PAYLOAD_TOO_LARGE', type: 'REQUEST_TOO_LARGE' });
    // As the deployed WAF body rule answers: one status for an oversized body at every layer.
    if (body.length > config.waf.maxBodyBytes) return exchange.refuse({ code: 'PAYLOAD_TOO_LARGE', type: 'WAF_FILTERED', waf: true });

    const { path, query } = requestTarget(request.url);
    const file = request.method === 'GET' ? documentation.get(path) ?? dashboard(path) : undefined;
    if (file) return exchange.send(200, [...headerList(file.headers), REQUEST_ID_HEADER, requestId], file.body);
    const match = route(request.method ?? '', path);
    if (!match) return exchange.refuse({ code: 'ROUTE_NOT_FOUND', type: 'MISSING_AUTHENTICATION_TOKEN' });
    const definition = match.binding.route;
    record.resourcePath = definition.path;

    // Usage plans: the key decides the plan; public routes only meet the stage throttle.
    let key: ApiKey | undefined;
    if (definition.apiKey) {
      const presented = headerValues(request, 'x-api-key');
      key = presented.length === 1 ? apiKeys.find(presented[0] as string) : undefined;
      if (!key?.enabled) return exchange.refuse({ code: 'API_KEY_INVALID', type: 'INVALID_API_KEY' });
      record.apiKeyId = key.id;
      const plan = config.usagePlans[key.plan];
      const planWait = once(planBuckets, key.id, () => new TokenBucket(plan.throttle)).take();
      if (planWait > 0) return exchange.refuse({ code: 'THROTTLED', type: 'THROTTLED', retryAfterMs: planWait });
    }
    const stageWait = stageBucket.take();
    if (stageWait > 0) return exchange.refuse({ code: 'THROTTLED', type: 'THROTTLED', retryAfterMs: stageWait });
    if (key) {
      const { quota } = config.usagePlans[key.plan];
      const quotaWait = once(quotas, key.id, () => new QuotaCounter(quota)).take();
      if (quotaWait > 0) return exchange.refuse({ code: 'QUOTA_EXCEEDED', type: 'QUOTA_EXCEEDED', retryAfterMs: quotaWait });
    }

    // The Lambda proxy integration.
    const event = proxyEvent({
      request, head, route: definition, path, query, pathParameters: match.pathParameters,
      body, requestId, sourceIp: record.ip, apiKeyId: key?.id ?? null, receivedAt, domainName,
    });
    const integrationStarted = performance.now();
    const outcome = await invoke(match.binding, event, Math.min(definition.timeoutSeconds * 1000, config.limits.integrationTimeoutMs));
    record.integrationLatency = Math.round(performance.now() - integrationStarted);
    if (outcome === TIMED_OUT) return exchange.refuse({ code: 'GATEWAY_TIMEOUT', type: 'INTEGRATION_TIMEOUT' });
    if (outcome === FAILED || !isProxyResult(outcome.result)) return exchange.refuse({ code: 'BAD_GATEWAY', type: 'INTEGRATION_FAILURE' });
    const result = outcome.result;
    if (exceedsResponseLimit(result, config.limits.maxResponseBytes)) return exchange.refuse({ code: 'BAD_GATEWAY', type: 'INTEGRATION_FAILURE' });
    // Node's `headers.authorization`: the first one sent.
    if (definition.scope && result.statusCode !== 401) record.clientId = clientIdOf(headerValues(request, 'authorization')[0]);
    exchange.send(result.statusCode, resultHeaders(result, requestId), Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8'));
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
