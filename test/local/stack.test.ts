/**
 * The local stack over real HTTPS: a real oidc-provider issuer, the real handlers behind the
 * local gateway, DynamoDB Local. Each test names the gateway or issuer rule it pins down; removing
 * that rule makes it fail.
 */
import { operationOutcome } from '@health-api/core';
import type { ErrorCode } from '@health-api/core';
import { routeList } from '@health-api/functions';
import type { LocalStack } from '@health-api/local';
import { SYSTEM_CLIENT_SCOPES, startLocalStack } from '@health-api/local';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIssuer } from '../support/issuer.js';
import type { StackClient } from './stack-client.js';
import { accessLog, authorizationCodeFlow, backendServicesToken, clientCredentialsToken, jwtParts, stackClient } from './stack-client.js';

const log = accessLog();
let stack: LocalStack;
let client: StackClient;
let clinicalToken: string;

beforeAll(async () => {
  stack = await startLocalStack({
    gatewayPort: 0,
    issuerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'local-stack-')),
    apiKeys: [{ name: 'standard', plan: 'standard' }, { name: 'partner', plan: 'partner' }, { name: 'revoked', plan: 'standard', enabled: false }],
    log: log.sink,
  });
  client = stackClient(stack);
  clinicalToken = await clientCredentialsToken(client, stack, 'clinical');
});
afterAll(async () => {
  await client?.close();
  await stack?.close();
});

const portOf = (url: string) => Number(new URL(url).port);

async function expectGatewayError(response: { status: number; headers: Headers | { get(n: string): string | null }; json(): Promise<unknown> }, code: ErrorCode) {
  expect(await response.json()).toEqual(operationOutcome(code));
  expect(response.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
  expect(response.headers.get('strict-transport-security')).toContain('max-age=');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('cache-control')).toBe('no-store');
}

const patientRead = (headers: Record<string, string>) => client.fetch(`${stack.baseUrl}/Patient/example`, { headers });

describe('documentation served by the gateway', () => {
  it('serves the OpenAPI document of exactly the manifest routes, and the docs page under a strict CSP', async () => {
    const spec = await client.fetch(`${stack.baseUrl}/openapi.json`);
    expect(spec.status).toBe(200);
    const document = (await spec.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toMatch(/^3\.1/);
    const served = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).filter((k) => k !== 'parameters').map((m) => `${m.toUpperCase()} /v1${path.replace(/^\/v1/, '')}`));
    expect(served.sort()).toEqual(routeList.map((r) => `${r.method} ${r.path}`).sort());

    const page = await client.fetch(new URL('/docs', stack.baseUrl).toString());
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-');
  });
});

describe('happy path with real tokens', () => {
  it('serves the CapabilityStatement over HTTPS', async () => {
    const response = await client.fetch(`${stack.baseUrl}/metadata`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { resourceType: string }).resourceType).toBe('CapabilityStatement');
  });

  it('issues ES256 at+jwt access tokens for 10 minutes, for the API audience, with scope, client_id and jti', () => {
    const { header, payload } = jwtParts(clinicalToken);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(payload).toMatchObject({ iss: stack.issuer, aud: stack.audience, client_id: 'clinical', scope: stack.clients.clinical.scope });
    expect((payload.exp as number) - (payload.iat as number)).toBe(600);
    expect(payload.jti).toEqual(expect.any(String));
  });

  it('routes every manifest route to its handler, which accepts the real token', async () => {
    for (const route of routeList) {
      const name = (Object.keys(stack.clients) as Array<keyof LocalStack['clients']>).find((n) => !route.scope
        || stack.clients[n].scope.split(' ').some((s) => s.startsWith(`system/${route.scope?.resourceType}.`) && s.includes(route.scope?.permission ?? '')));
      if (!name) throw new Error(`no local client may call ${route.id}`);
      const token = await clientCredentialsToken(client, stack, name);
      const response = await client.fetch(`${stack.baseUrl.replace(/\/v1$/, '')}${route.path.replace(/\{[^}]+\}/g, 'example')}`, {
        method: route.method,
        headers: {
          ...(route.apiKey ? { 'x-api-key': stack.apiKeys.standard as string } : {}),
          ...(route.scope ? { authorization: `Bearer ${token}` } : {}),
          ...(route.schemas.body ? { 'content-type': 'application/fhir+json' } : {}),
        },
        ...(route.schemas.body ? { body: '{}' } : {}),
      });
      await response.arrayBuffer();
      expect(response.headers.get('interaction-id'), route.id).toBeTruthy(); // the handler answered
      expect(response.status, route.id).not.toBe(401);
      expect(response.status, route.id).toBeLessThan(500);
      expect(log.of(response)[0]?.resourcePath, route.id).toBe(route.path);
    }
  });

  it('passes the handler a REST proxy event: the route answers, not the gateway', async () => {
    const response = await patientRead({ 'x-api-key': stack.apiKeys.standard as string, authorization: `Bearer ${clinicalToken}` });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(operationOutcome('NOT_FOUND'));
    expect(log.of(response)[0]).toMatchObject({ resourcePath: '/v1/Patient/{id}', status: 404, clientId: 'clinical', errorResponseType: null });
  });
});

describe('API keys on key-required routes', () => {
  const token = () => ({ authorization: `Bearer ${clinicalToken}` });
  it.each([
    ['missing', {}],
    ['unknown', { 'x-api-key': 'A'.repeat(40) }],
    ['disabled', { 'x-api-key': 'revoked' }],
  ])('refuses a %s key with 403', async (_case, keyHeader: Record<string, string>) => {
    const headers = keyHeader['x-api-key'] === 'revoked' ? { 'x-api-key': stack.apiKeys.revoked as string } : keyHeader;
    const response = await patientRead({ ...token(), ...headers });
    expect(response.status).toBe(403);
    await expectGatewayError(response, 'API_KEY_INVALID');
    expect(log.of(response)[0]).toMatchObject({ errorResponseType: 'INVALID_API_KEY', integrationLatency: null, apiKeyId: null });
  });

  it('does not need a key on a public route', async () => {
    const response = await client.fetch(`${stack.baseUrl}/metadata`);
    expect(response.status).toBe(200);
  });
});

describe('routes', () => {
  it.each([
    ['an unknown path', 'GET', '/v1/Nothing/here'],
    ['an unknown method on a known path', 'DELETE', '/v1/metadata'],
    ['a path outside the API', 'GET', '/'],
    ['a path of empty segments', 'GET', '//'],
    ['a path that starts like a host', 'GET', '//evil.example/v1/metadata'],
  ])('answers %s with 404 without revealing routes', async (_case, method, path) => {
    const response = await client.fetch(`${stack.baseUrl.replace(/\/v1$/, '')}${path}`, { method });
    expect(response.status).toBe(404);
    await expectGatewayError(response, 'ROUTE_NOT_FOUND');
  });
});

describe('request limits', () => {
  it('refuses a payload over 10 MB with 413 before any handler runs', async () => {
    const response = await client.fetch(`${stack.baseUrl}/Patient/example`, {
      method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20),
    });
    expect(response.status).toBe(413);
    await expectGatewayError(response, 'PAYLOAD_TOO_LARGE');
    expect(log.of(response)[0]).toMatchObject({ errorResponseType: 'REQUEST_TOO_LARGE', integrationLatency: null });
  });

  it('blocks a body over the WAF body-size limit with 413, as the deployed WAF rule and the functions answer', async () => {
    const response = await client.fetch(`${stack.baseUrl}/metadata`, {
      method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: Buffer.alloc(100 * 1024, 0x20),
    });
    expect(response.status).toBe(413);
    await expectGatewayError(response, 'PAYLOAD_TOO_LARGE');
    expect(log.of(response)[0]).toMatchObject({ wafResponseCode: 'BLOCK', errorResponseType: 'WAF_FILTERED' });
  });

  it.each([12_000, 40_000])('refuses %i bytes of headers with 431', async (size) => {
    const response = await client.fetch(`${stack.baseUrl}/metadata`, { headers: { 'x-padding': 'a'.repeat(size) } });
    expect(response.status).toBe(431);
    await expectGatewayError(response, 'HEADERS_TOO_LARGE');
  });
});

describe('transport', () => {
  const handshake = (port: number, options: ConnectionOptions) => new Promise<{ protocol: string | null; cipher: string }>((done, fail) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: stack.caPem, ...options }, () => {
      done({ protocol: socket.getProtocol(), cipher: socket.getCipher().name });
      socket.end();
    });
    socket.on('error', fail);
  });
  // The client allows legacy versions and ciphers, so only the server can be refusing them.
  const legacy = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;

  it.each([['gateway', () => stack.baseUrl], ['issuer', () => stack.issuer]])('%s: refuses TLS 1.0 and 1.1', async (_name, url) => {
    await expect(handshake(portOf(url()), legacy)).rejects.toThrow();
  });

  it.each([['gateway', () => stack.baseUrl], ['issuer', () => stack.issuer]])('%s: refuses a weak TLS 1.2 cipher (CBC, no AEAD)', async (_name, url) => {
    await expect(handshake(portOf(url()), { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384' })).rejects.toThrow();
  });

  it('accepts TLS 1.2 with a forward-secret AEAD suite, and TLS 1.3', async () => {
    await expect(handshake(portOf(stack.baseUrl), { maxVersion: 'TLSv1.2' })).resolves.toEqual({ protocol: 'TLSv1.2', cipher: expect.stringMatching(/^ECDHE-ECDSA-(AES\d+-GCM|CHACHA20)/) });
    await expect(handshake(portOf(stack.baseUrl), {})).resolves.toMatchObject({ protocol: 'TLSv1.3' });
  });

  it.each([['gateway', () => stack.baseUrl], ['issuer', () => stack.issuer]])('%s: refuses plain HTTP', async (_name, url) => {
    const answer = new Promise((done, fail) => {
      httpGet({ host: '127.0.0.1', port: portOf(url()), path: '/v1/metadata' }, (response) => done(response.statusCode)).on('error', fail);
    });
    await expect(answer).rejects.toThrow();
  });
});

describe('tokens', () => {
  it('rejects a token from a second, untrusted issuer, and one signed by a key the issuer does not publish', async () => {
    const untrusted = await startTestIssuer(stack.audience);
    try {
      for (const token of [
        await untrusted.token({ scope: 'system/Patient.cruds' }),
        await untrusted.token({ iss: stack.issuer, scope: 'system/Patient.cruds' }),
      ]) {
        const response = await patientRead({ 'x-api-key': stack.apiKeys.standard as string, authorization: `Bearer ${token}` });
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual(operationOutcome('INVALID_TOKEN'));
      }
    } finally {
      await untrusted.close();
    }
  });

  it('authorization code + PKCE gives a patient-bound token the API accepts; refresh tokens rotate', async () => {
    const flow = await authorizationCodeFlow(client, stack, {
      login: 'pat-123', scope: 'openid fhirUser offline_access launch/patient patient/Patient.rs',
    });
    expect(flow.status).toBe(200);
    expect(flow.tokens.patient).toBe('pat-123');
    const accessToken = flow.tokens.access_token as string;
    expect(jwtParts(accessToken).header.typ).toBe('at+jwt'); // RFC 9068: accepted without AUTH_ALLOW_LEGACY_TYP
    expect(jwtParts(accessToken).payload).toMatchObject({
      patient: 'pat-123', sub: 'pat-123', client_id: stack.smartApp.clientId, aud: stack.audience, scope: 'patient/Patient.rs',
    });
    const response = await client.fetch(`${stack.baseUrl}/Patient/pat-123`, {
      headers: { 'x-api-key': stack.apiKeys.standard as string, authorization: `Bearer ${accessToken}` },
    });
    await response.arrayBuffer();
    expect(response.headers.get('interaction-id')).toBeTruthy();
    expect(response.status).not.toBe(401);

    const refresh = (token: unknown) => client.fetch(stack.tokenEndpoint, {
      method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(token), client_id: stack.smartApp.clientId }),
    });
    const first = await refresh(flow.tokens.refresh_token);
    const rotated = (await first.json()) as Record<string, unknown>;
    expect(first.status).toBe(200);
    expect(rotated.refresh_token).toEqual(expect.any(String));
    expect(rotated.refresh_token).not.toBe(flow.tokens.refresh_token);
    const reuse = await refresh(flow.tokens.refresh_token);
    expect(reuse.status).toBe(400);
    expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('requires PKCE with S256 and offers no password grant', async () => {
    const plain = await authorizationCodeFlow(client, stack, { login: 'pat-123', scope: 'openid patient/Patient.rs', challengeMethod: 'plain' });
    expect(new URL(plain.finalLocation).searchParams.get('error')).toBe('invalid_request');
    const { clientId, clientSecret } = stack.clients.clinical;
    const password = await client.fetch(stack.tokenEndpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'password', username: 'a', password: 'b' }),
    });
    expect(password.status).toBe(400);
    expect(((await password.json()) as { error: string }).error).toBe('unsupported_grant_type');
  });
});

describe('contract and logs', () => {
  it('writes dev.json (0600) with exactly the contract fields, and they work', async () => {
    const contract = JSON.parse(readFileSync(stack.devJsonFile, 'utf8')) as Record<string, unknown>;
    expect(statSync(stack.devJsonFile).mode & 0o777).toBe(0o600);
    expect(Object.keys(contract).sort()).toEqual(['apiKeys', 'audience', 'backendService', 'baseUrl', 'caCertFile', 'certificateBoundService', 'clients', 'issuer', 'tokenEndpoint']);
    expect(contract).toMatchObject({ baseUrl: stack.baseUrl, issuer: stack.issuer, tokenEndpoint: `${stack.issuer}/token`, audience: stack.audience });
    expect(contract.baseUrl).toMatch(/^https:\/\/localhost:\d+\/v1$/);
    expect(readFileSync(resolve(contract.caCertFile as string), 'utf8')).toBe(stack.caPem);
    const apiKeys = contract.apiKeys as Record<string, string>;
    expect(Object.keys(apiKeys).sort()).toEqual(['partner', 'standard']);
    for (const key of Object.values(apiKeys)) expect(key).toMatch(/^[A-Za-z0-9]{20,128}$/);
    const clients = contract.clients as Record<string, { clientId: string; clientSecret: string; scope: string }>;
    expect(clients).toMatchObject(Object.fromEntries(Object.entries(SYSTEM_CLIENT_SCOPES).map(([name, scope]) => [name, { scope }])));
    for (const c of Object.values(clients)) expect(Object.keys(c).sort()).toEqual(['clientId', 'clientSecret', 'scope']);
    const response = await client.fetch(contract.tokenEndpoint as string, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clients.reader?.clientId}:${clients.reader?.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: clients.reader?.scope ?? '' }),
    });
    expect(response.status).toBe(200);
    // The backend service's key file signs a client assertion the issuer accepts: no secret is shared.
    const backend = contract.backendService as { clientId: string; scope: string; keyFile: string };
    expect(Object.keys(backend).sort()).toEqual(['clientId', 'keyFile', 'scope']);
    expect(statSync(resolve(backend.keyFile)).mode & 0o777).toBe(0o600);
    const privateJwk = JSON.parse(readFileSync(resolve(backend.keyFile), 'utf8')) as Record<string, unknown>;
    const token = await backendServicesToken(client, { tokenEndpoint: contract.tokenEndpoint as string, backendService: { ...stack.backendService, privateJwk } });
    expect(jwtParts(token).payload).toMatchObject({ client_id: backend.clientId, scope: backend.scope, aud: stack.audience });
  });

  it('refuses a backend service whose client assertion another key signed', async () => {
    const stranger = { ...stack.backendService, privateJwk: { ...generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'jwk' }), kid: stack.backendService.privateJwk.kid } };
    await expect(backendServicesToken(client, { tokenEndpoint: stack.tokenEndpoint, backendService: stranger })).rejects.toThrow(/401|400/);
  });

  it('keeps the generated keys and secrets owner-only', () => {
    const dir = resolve(stack.devJsonFile, '..');
    for (const file of ['tls/ca.key', 'tls/server.key', 'issuer/signing-keys.json', 'issuer/secrets.json', 'issuer/backend-service-key.json', 'gateway/api-keys.json']) {
      expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
    }
  });

  it('writes one JSON access-log line per request, with ids and no secrets', async () => {
    const before = log.lines.length;
    const response = await patientRead({ 'x-api-key': stack.apiKeys.standard as string, authorization: `Bearer ${clinicalToken}` });
    await response.arrayBuffer();
    expect(log.lines.length).toBe(before + 1);
    const [record] = log.of(response);
    expect(record).toMatchObject({
      requestId: response.headers.get('x-amzn-requestid'), ip: '127.0.0.1', httpMethod: 'GET', resourcePath: '/v1/Patient/{id}',
      status: 404, apiKeyId: expect.stringMatching(/^[a-z0-9]{10}$/), clientId: 'clinical',
    });
    expect(record?.responseLatency).toEqual(expect.any(Number));
    const all = log.lines.join('\n');
    for (const secret of [clinicalToken, ...Object.values(stack.apiKeys), ...Object.values(stack.clients).map((c) => c.clientSecret)]) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toContain('Patient/example');
  });

});
