/**
 * Usage plans, the WAF-like rules and the Lambda integration limits of the local gateway, with
 * tiny numbers given as overrides of the shared gateway config. Extra gateways front the same
 * stack (issuer, keys, handlers) where a rule needs numbers of its own.
 */
import type { RouteDefinition } from '@health-api/core';
import { operationOutcome } from '@health-api/core';
import type { GatewayConfigOverrides, ListeningServer, LocalStack, RouteBinding } from '@health-api/local';
import { gatewaySettings, listenHttps, serveGateway, startLocalStack } from '@health-api/local';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackClient } from './stack-client.js';
import { accessLog, clientCredentialsToken, stackClient } from './stack-client.js';

const log = accessLog();
let stack: LocalStack;
let client: StackClient;
let token: string;
const extraServers: ListeningServer[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    gatewayPort: 0,
    issuerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'local-limits-')),
    gateway: {
      usagePlans: {
        partner: { throttle: { rateLimit: 0.001, burstLimit: 2 } },
        standard: { quota: { limit: 3, period: 'DAY' } },
      },
    },
    log: log.sink,
  });
  client = stackClient(stack);
  token = await clientCredentialsToken(client, stack, 'reader');
});
afterAll(async () => {
  await Promise.all(extraServers.map((s) => s.close()));
  await client?.close();
  await stack?.close();
});

/** Another gateway in front of the same stack, with its own config and (optionally) routes. */
async function extraGateway(overrides: GatewayConfigOverrides, routes: readonly RouteBinding[] = stack.parts.routes): Promise<string> {
  const listening = await listenHttps(stack.parts.tls, 0);
  extraServers.push(listening);
  return serveGateway(listening, { routes, apiKeys: stack.parts.apiKeyStore, config: gatewaySettings(overrides), log: log.sink }).baseUrl;
}

const readPatient = (baseUrl: string, apiKey: string) => client.fetch(`${baseUrl}/Patient/example`, {
  headers: { 'x-api-key': apiKey, authorization: `Bearer ${token}` },
});

/** A 429 is the catalogue outcome and nothing more: no limit, rate, quota or remaining count. */
async function expectTooMany(response: Awaited<ReturnType<StackClient['fetch']>>, code: 'THROTTLED' | 'QUOTA_EXCEEDED') {
  expect(response.status).toBe(429);
  expect(await response.json()).toEqual(operationOutcome(code));
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  const headerNames = [...response.headers.keys()];
  expect(headerNames.filter((name) => /ratelimit|quota|limit|remaining/i.test(name))).toEqual([]);
}

describe('usage plans', () => {
  it('throttles a key over its plan burst with 429 and Retry-After, revealing no limits', async () => {
    const partner = stack.apiKeys.partner as string;
    for (let i = 0; i < 2; i += 1) expect((await readPatient(stack.baseUrl, partner)).status).toBe(404);
    const refused = await readPatient(stack.baseUrl, partner);
    await expectTooMany(refused, 'THROTTLED');
    expect(log.of(refused)[0]).toMatchObject({ errorResponseType: 'THROTTLED', integrationLatency: null });
  });

  it('refuses a key over its quota with 429 QUOTA_EXCEEDED', async () => {
    const standard = stack.apiKeys.standard as string;
    for (let i = 0; i < 3; i += 1) expect((await readPatient(stack.baseUrl, standard)).status).toBe(404);
    const refused = await readPatient(stack.baseUrl, standard);
    await expectTooMany(refused, 'QUOTA_EXCEEDED');
  });

  it('applies the stage throttle to every caller, public routes included', async () => {
    const baseUrl = await extraGateway({ stageThrottle: { rateLimit: 0.001, burstLimit: 1 } });
    expect((await client.fetch(`${baseUrl}/metadata`)).status).toBe(200);
    await expectTooMany(await client.fetch(`${baseUrl}/metadata`), 'THROTTLED');
  });
});

describe('WAF-like rules', () => {
  it('blocks a source IP over the rate-based rule with 403', async () => {
    const baseUrl = await extraGateway({ waf: { ratePerIp: 2 } });
    for (let i = 0; i < 2; i += 1) expect((await client.fetch(`${baseUrl}/metadata`)).status).toBe(200);
    const blocked = await client.fetch(`${baseUrl}/metadata`);
    expect(blocked.status).toBe(403);
    expect(await blocked.json()).toEqual(operationOutcome('ACCESS_DENIED'));
    expect(log.of(blocked)[0]).toMatchObject({ wafResponseCode: 'BLOCK' });
  });

  it.each([
    ['on the deny list', { denyIps: ['127.0.0.1'] }],
    ['outside the allow list', { allowIps: ['192.0.2.0/24'] }],
  ])('blocks a source IP %s with 403', async (_case, waf) => {
    const response = await client.fetch(`${await extraGateway({ waf })}/metadata`);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual(operationOutcome('ACCESS_DENIED'));
  });

  it('lets a source IP on the allow list through', async () => {
    const response = await client.fetch(`${await extraGateway({ waf: { allowIps: ['127.0.0.0/8'] } })}/metadata`);
    expect(response.status).toBe(200);
  });
});

describe('Lambda proxy integration', () => {
  const route = (id: string, overrides: Partial<RouteDefinition> = {}): RouteDefinition => ({
    id, method: 'GET', path: `/v1/${id}`, interaction: 'read', apiKey: false, maxBodyBytes: 0,
    timeoutSeconds: 3, memoryMb: 128, schemas: {}, ...overrides,
  });
  const bind = (definition: RouteDefinition, handler: (event: APIGatewayProxyEvent, context: Context) => Promise<unknown>): RouteBinding =>
    ({ route: definition, handler: handler as RouteBinding['handler'] });

  it('builds REST proxy events and a Lambda context like API Gateway and the Lambda runtime', async () => {
    let seen: { event: APIGatewayProxyEvent; remaining: number; memory: string } | undefined;
    const echo = bind(route('echo', { path: '/v1/echo/{name}', apiKey: true, timeoutSeconds: 7, memoryMb: 256 }), async (event, context) => {
      // As the runtime's: callable detached, and through a context derived with `Object.create` (as the chain derives one).
      const { getRemainingTimeInMillis } = context;
      const remaining = Math.min(getRemainingTimeInMillis(), (Object.create(context) as Context).getRemainingTimeInMillis());
      seen = { event, remaining, memory: context.memoryLimitInMB };
      return { statusCode: 200, body: '{}' };
    });
    const baseUrl = await extraGateway({}, [echo]);
    const response = await client.fetch(`${baseUrl}/echo/a%20b?x=1&x=2&y=3`, {
      headers: { 'x-api-key': stack.apiKeys.standard as string, 'X-Trace': 'one' },
    });
    expect(response.status).toBe(200);
    const event = seen?.event as APIGatewayProxyEvent;
    expect(event).toMatchObject({
      resource: '/v1/echo/{name}', path: '/v1/echo/a%20b', httpMethod: 'GET', pathParameters: { name: 'a b' },
      queryStringParameters: { x: '2', y: '3' }, multiValueQueryStringParameters: { x: ['1', '2'], y: ['3'] },
      body: null, isBase64Encoded: false,
    });
    expect(event.headers['X-Trace']).toBe('one');
    expect(event.multiValueHeaders['X-Trace']).toEqual(['one']);
    expect(event.requestContext).toMatchObject({
      requestId: response.headers.get('x-amzn-requestid'), stage: 'local', resourcePath: '/v1/echo/{name}', httpMethod: 'GET',
      identity: { sourceIp: '127.0.0.1', apiKeyId: expect.stringMatching(/^[a-z0-9]{10}$/), apiKey: null },
    });
    expect(seen?.remaining).toBeGreaterThan(0);
    expect(seen?.remaining).toBeLessThanOrEqual(7000);
    expect(seen?.memory).toBe('256');
  });

  it('passes header and query names as sent, `__proto__` included, as own properties of plain objects', async () => {
    let seen: APIGatewayProxyEvent | undefined;
    const echo = bind(route('names'), async (event) => {
      seen = event;
      return { statusCode: 200, body: '{}' };
    });
    // undici drops a header of that name; node's client sends raw headers as given.
    const url = new URL(`${await extraGateway({}, [echo])}/names?__proto__=q&__proto__=r`);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(url, { ca: stack.caPem, headers: ['Host', url.host, '__proto__', 'h'] }, (response) => resolve(response.resume().statusCode)).on('error', reject).end();
    });
    expect(status).toBe(200);
    const event = seen as APIGatewayProxyEvent;
    for (const map of [event.headers, event.multiValueHeaders, event.queryStringParameters, event.multiValueQueryStringParameters]) {
      expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
      expect(Object.hasOwn(map ?? {}, '__proto__')).toBe(true);
    }
    expect([event.headers.__proto__, event.multiValueHeaders.__proto__]).toEqual(['h', ['h']]);
    expect([event.queryStringParameters?.__proto__, event.multiValueQueryStringParameters?.__proto__]).toEqual(['r', ['q', 'r']]);
  });

  it("keeps the gateway's own request id and length, whatever case the function names them in", async () => {
    const forging = bind(route('forging'), async () => ({
      statusCode: 200, body: 'héllo',
      headers: { 'X-Amzn-RequestId': 'forged', 'CONTENT-LENGTH': '1', 'X-Kept': 'single' },
      multiValueHeaders: { 'x-amzn-requestid': ['forged-too'], 'X-Kept': ['one', 'two'] },
    }));
    const url = new URL(`${await extraGateway({}, [forging])}/forging`);
    const answer = await new Promise<{ headers: string[]; body: string }>((resolve, reject) => {
      request(url, { ca: stack.caPem }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ headers: response.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }));
      }).on('error', reject).end();
    });
    const values = (name: string) => answer.headers.filter((_, i) => i % 2 === 1 && answer.headers[i - 1]?.toLowerCase() === name);
    expect(values('x-amzn-requestid')).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect(values('content-length')).toEqual([String(Buffer.byteLength('héllo'))]);
    expect(values('x-kept')).toEqual(['one', 'two']);
    expect(answer.body).toBe('héllo');
  });

  it('answers 504 when the handler outlives its timeout', async () => {
    const slow = bind(route('slow'), () => new Promise(() => undefined));
    const response = await client.fetch(`${await extraGateway({ limits: { integrationTimeoutMs: 50 } }, [slow])}/slow`);
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual(operationOutcome('GATEWAY_TIMEOUT'));
  });

  it.each([
    ['throws', async () => { throw new Error('boom: secret detail'); }],
    ['returns no proxy result', async () => ({ body: 'no status' })],
    ['returns more than the response limit', async () => ({ statusCode: 200, body: 'x'.repeat(2000) })],
    ['returns more than the response limit once serialised (escapes count)', async () => ({ statusCode: 200, body: '"'.repeat(600) })],
  ])('answers 502 when the handler %s, revealing nothing', async (_case, handler) => {
    const broken = bind(route('broken'), handler);
    const response = await client.fetch(`${await extraGateway({ limits: { maxResponseBytes: 1000 } }, [broken])}/broken`);
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual(operationOutcome('BAD_GATEWAY'));
  });

  it('answers 502 when a real handler response passes the response limit', async () => {
    const response = await client.fetch(`${await extraGateway({ limits: { maxResponseBytes: 100 } })}/metadata`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual(operationOutcome('BAD_GATEWAY'));
  });
});
