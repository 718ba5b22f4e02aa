import type { RouteDefinition } from '@health-api/core';
import { ERROR_CODE_SYSTEM } from '@health-api/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { SignJWT, base64url } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext, proxyEvent } from '../../../test/support/events.js';
import type { TestDynamo } from '../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../test/support/dynamo.js';
import { configureAuth } from '../../../test/support/handler-env.js';
import type { TestIssuer } from '../../../test/support/issuer.js';
import { newKey, startTestIssuer } from '../../../test/support/issuer.js';
import { captureLogs } from '../../../test/support/logs.js';
import { secureHandler } from './secure-handler.js';
import { compiledAtRunTime } from './request-validation/compile-schema.js';

const createRoute = {
  id: 'test-create',
  method: 'POST',
  path: '/v1/Patient',
  interaction: 'create',
  resourceType: 'Patient',
  scope: { resourceType: 'Patient', permission: 'c' },
  apiKey: true,
  maxBodyBytes: 2048,
  timeoutSeconds: 5,
  memoryMb: 128,
  schemas: {
    body: {
      type: 'object',
      properties: { resourceType: { const: 'Patient' }, family: { type: 'string', maxLength: 40 }, age: { type: 'integer', minimum: 0, maximum: 150 } },
      required: ['resourceType'],
      additionalProperties: false,
    },
  },
} as const satisfies RouteDefinition;

let issuer: TestIssuer;
let dynamo: TestDynamo;
let calls = 0;
const handler = secureHandler(createRoute, async ({ body, auth }) => {
  calls += 1;
  return { statusCode: 201, body: { resourceType: 'Patient', id: 'p1', family: body.family, client: auth?.clientId } };
}, compiledAtRunTime(createRoute));

const patientBody = JSON.stringify({ resourceType: 'Patient', family: 'Ngata', age: 40 });

function post(headers: Record<string, string | string[]>, body: string | null = patientBody, query?: Record<string, string>) {
  return handler(proxyEvent({
    method: 'POST', path: '/v1/Patient', headers: { 'content-type': 'application/fhir+json', ...headers }, body, ...(query ? { query } : {}),
  }), lambdaContext());
}

function outcomeCode(result: APIGatewayProxyResult): string | undefined {
  const outcome = JSON.parse(result.body) as { resourceType: string; issue: Array<{ details: { coding: Array<{ system: string; code: string }> } }> };
  expect(outcome.resourceType).toBe('OperationOutcome');
  const coding = outcome.issue[0]?.details.coding[0];
  expect(coding?.system).toBe(ERROR_CODE_SYSTEM);
  return coding?.code;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const unsigned = (header: object, payload: object) =>
  `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.`;

beforeAll(async () => {
  issuer = await startTestIssuer();
  dynamo = await startTestDynamo();
  configureAuth(issuer, { AUTH_MAX_TOKEN_LIFETIME_SECONDS: '900' });
});
afterAll(async () => {
  await issuer.close();
  await dynamo.close();
});

const auditRecords = () => dynamo.scan('Audit') as Promise<Array<{ event: { outcome: string; outcomeDesc?: string; action: string; agent: Array<{ who: { identifier?: { value: string } } }> } }>>;

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  calls = 0;
  logs = captureLogs();
});
afterEach(() => logs.restore());

describe('secureHandler happy path', () => {
  it('runs the business function for a valid token, scope and body', async () => {
    const token = await issuer.token();
    const interactionId = crypto.randomUUID();
    const result = await post({ ...bearer(token), 'interaction-id': interactionId });
    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body)).toMatchObject({ family: 'Ngata', client: 'test-client' });
    expect(result.headers).toMatchObject({
      'Content-Type': 'application/fhir+json; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Interaction-Id': interactionId,
    });
    expect(result.headers?.['Strict-Transport-Security']).toMatch(/max-age=\d+/);
    expect(calls).toBe(1);
    const access = logs.records().find((r) => r.message === 'request');
    expect(access).toMatchObject({ status: 201, clientId: 'test-client', interactionId, sourceIp: '203.0.113.9' });
    expect(logs.text()).not.toContain(token);
    expect(logs.text()).not.toContain('Ngata');
  });

  it('generates an Interaction-Id when none (or a non-UUID) is sent', async () => {
    const result = await post({ ...bearer(await issuer.token()), 'interaction-id': 'not\r\nSet-Cookie: a=b' });
    expect(result.statusCode).toBe(400);
    expect(result.headers?.['Interaction-Id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

// The attack table: each row is a request that must be refused before the business function runs.
type Attack = { name: string; status: number; code: string; request: () => Promise<APIGatewayProxyResult> };
const attacks: Attack[] = [
  { name: 'no token', status: 401, code: 'MISSING_TOKEN', request: () => post({}) },
  { name: 'alg none', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(unsigned({ alg: 'none', typ: 'at+jwt', kid: issuer.signingKey.kid }, { iss: issuer.issuer, aud: issuer.audience, exp: Date.now() / 1000 + 60, iat: Date.now() / 1000, scope: 'system/Patient.c' }))) },
  {
    name: 'HS256 signed with the public key', status: 401, code: 'INVALID_TOKEN', request: async () => {
      const secret = new TextEncoder().encode(JSON.stringify(issuer.signingKey.publicJwk));
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ iss: issuer.issuer, aud: issuer.audience, iat: now, exp: now + 60, scope: 'system/Patient.c' })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: issuer.signingKey.kid }).sign(secret);
      return post(bearer(token));
    },
  },
  { name: 'wrong iss', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token({ iss: 'https://evil.example' }))) },
  { name: 'wrong aud', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token({ aud: 'https://other.api' }))) },
  { name: 'expired', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token({ iat: Math.floor(Date.now() / 1000) - 700, exp: Math.floor(Date.now() / 1000) - 100 }))) },
  { name: 'nbf in the future', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token({ nbf: Math.floor(Date.now() / 1000) + 300 }))) },
  { name: 'no exp', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token({ exp: undefined }))) },
  { name: 'no iat', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token({ iat: undefined }))) },
  { name: 'lifetime over the cap', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token({ exp: Math.floor(Date.now() / 1000) + 3600 }))) },
  { name: 'crit header', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token({}, { crit: ['b64'], b64: true }))) },
  { name: 'typ of an ID token', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token({}, { typ: 'id+jwt' }))) },
  { name: 'no typ (legacy typ not allowed)', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token({}, { typ: undefined }))) },
  { name: 'typ JWT (legacy typ not allowed)', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token({}, { typ: 'JWT' }))) },
  {
    name: 'unknown kid', status: 401, code: 'INVALID_TOKEN', request: async () => {
      const key = await newKey('unknown-kid');
      return post(bearer(await issuer.token({}, { kid: key.kid }, key)));
    },
  },
  { name: 'kid with path characters', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token({}, { kid: '../../../etc/passwd' }))) },
  { name: 'jku header', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token({}, { jku: 'https://evil.example/jwks' }))) },
  { name: 'x5u header', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token({}, { x5u: 'https://evil.example/cert.pem' }))) },
  {
    name: 'jwk header carrying the signing key', status: 401, code: 'INVALID_TOKEN', request: async () => {
      const key = await newKey(issuer.signingKey.kid);
      return post(bearer(await issuer.token({}, { jwk: key.publicJwk }, key)));
    },
  },
  {
    name: 'signed by a key the issuer does not publish, with its kid', status: 401, code: 'INVALID_TOKEN', request: async () => {
      const key = await newKey(issuer.signingKey.kid);
      return post(bearer(await issuer.token({}, {}, key)));
    },
  },
  {
    name: 'one bit of the signature changed', status: 401, code: 'INVALID_TOKEN', request: async () => {
      const token = await issuer.token();
      const last = token.at(-2) === 'A' ? 'B' : 'A';
      return post(bearer(`${token.slice(0, -2)}${last}${token.at(-1)}`));
    },
  },
  { name: '100 KB token', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token({ pad: 'x'.repeat(100_000) }))) },
  { name: 'malformed base64', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer('eyJhbGciOi$$.e30.c2ln')) },
  { name: 'not a bearer scheme', status: 401, code: 'INVALID_TOKEN', request: async () => post({ authorization: `Basic ${btoa('user:pass')}` }) },
  { name: 'token in the query string', status: 401, code: 'INVALID_TOKEN', request: async () => post({}, patientBody, { access_token: await issuer.token() }) },
  { name: 'token in the query string beside a header', status: 401, code: 'INVALID_TOKEN', request: async () => post(bearer(await issuer.token()), patientBody, { access_token: 'x' }) },
  { name: 'cookie present', status: 400, code: 'COOKIE_NOT_ALLOWED', request: async () => post({ ...bearer(await issuer.token()), cookie: 'session=abc' }) },
  { name: 'two Authorization headers', status: 400, code: 'AUTHORIZATION_DUPLICATED', request: async () => post({ authorization: [`Bearer ${await issuer.token()}`, `Bearer ${await issuer.token()}`] }) },
  { name: 'Authorization in two cases', status: 400, code: 'AUTHORIZATION_DUPLICATED', request: async () => post({ Authorization: `Bearer ${await issuer.token()}`, authorization: `Bearer ${await issuer.token()}` }) },
  { name: 'method override header', status: 400, code: 'METHOD_OVERRIDE_NOT_ALLOWED', request: async () => post({ ...bearer(await issuer.token()), 'x-http-method-override': 'DELETE' }) },
  { name: 'scope for another resource type', status: 403, code: 'INSUFFICIENT_SCOPE', request: async () => post(bearer(await issuer.token({ scope: 'system/Observation.cruds' }))) },
  { name: 'v1 .read scope used for a write', status: 403, code: 'INSUFFICIENT_SCOPE', request: async () => post(bearer(await issuer.token({ scope: 'system/Patient.read' }))) },
  { name: 'v2 scope with a constraint', status: 403, code: 'INSUFFICIENT_SCOPE', request: async () => post(bearer(await issuer.token({ scope: 'system/Patient.c?identifier=x' }))) },
  { name: 'malformed scope', status: 403, code: 'INSUFFICIENT_SCOPE', request: async () => post(bearer(await issuer.token({ scope: 'system/Patient.dc system//Patient.c' }))) },
  { name: 'Content-Type twice (JSON, then form)', status: 400, code: 'DUPLICATE_HEADER', request: async () => post({ ...bearer(await issuer.token()), 'content-type': ['application/fhir+json', 'application/x-www-form-urlencoded'] }) },
  { name: 'Content-Type in two spellings', status: 400, code: 'DUPLICATE_HEADER', request: async () => post({ ...bearer(await issuer.token()), 'Content-Type': 'text/plain' }) },
  { name: 'Accept twice', status: 400, code: 'DUPLICATE_HEADER', request: async () => post({ ...bearer(await issuer.token()), accept: ['application/fhir+json', 'text/html'] }) },
  { name: 'Interaction-Id twice', status: 400, code: 'DUPLICATE_HEADER', request: async () => post({ ...bearer(await issuer.token()), 'interaction-id': [crypto.randomUUID(), crypto.randomUUID()] }) },
  { name: 'Accept not satisfiable', status: 406, code: 'NOT_ACCEPTABLE', request: async () => post({ ...bearer(await issuer.token()), accept: 'text/html' }) },
  { name: 'form body', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', request: async () => post({ ...bearer(await issuer.token()), 'content-type': 'application/x-www-form-urlencoded' }, 'a=b') },
  { name: 'body over the route cap', status: 413, code: 'PAYLOAD_TOO_LARGE', request: async () => post(bearer(await issuer.token()), JSON.stringify({ resourceType: 'Patient', family: 'x'.repeat(4096) })) },
  { name: 'malformed JSON', status: 400, code: 'MALFORMED_JSON', request: async () => post(bearer(await issuer.token()), '{"resourceType":') },
  { name: 'unknown field', status: 400, code: 'VALIDATION_FAILED', request: async () => post(bearer(await issuer.token()), JSON.stringify({ resourceType: 'Patient', evil: 1 })) },
  { name: '__proto__ key', status: 400, code: 'VALIDATION_FAILED', request: async () => post(bearer(await issuer.token()), '{"resourceType":"Patient","__proto__":{"admin":true}}') },
  { name: 'string where a number belongs (no coercion)', status: 400, code: 'VALIDATION_FAILED', request: async () => post(bearer(await issuer.token()), JSON.stringify({ resourceType: 'Patient', age: '40' })) },
  { name: 'unknown query parameter, strict', status: 400, code: 'UNKNOWN_PARAMETER', request: async () => post({ ...bearer(await issuer.token()), prefer: 'handling=strict' }, patientBody, { _summary: 'true' }) },
  { name: '_format for XML', status: 406, code: 'NOT_ACCEPTABLE', request: async () => post(bearer(await issuer.token()), patientBody, { _format: 'xml' }) },
];

describe('audit intent', () => {
  type Recorded = { seq: string; chain: string; entity: string; event: { subtype: Array<{ code: string }>; outcome?: string } };
  it('hands the business function the audit trail\'s intent writer: the intent is recorded before the outcome', async () => {
    const changing = secureHandler(createRoute, async (input) => {
      await input.auditIntent('p-intent');
      return { statusCode: 201, body: { resourceType: 'Patient', id: 'p-intent' }, headers: { Location: '/v1/Patient/p-intent' } };
    }, compiledAtRunTime(createRoute));
    const before = (await dynamo.scan('Audit')).length;
    const result = await changing(proxyEvent({
      method: 'POST', path: '/v1/Patient', headers: { 'content-type': 'application/fhir+json', ...bearer(await issuer.token()) }, body: patientBody,
    }), lambdaContext());
    expect(result.statusCode).toBe(201);
    const after = await dynamo.scan('Audit') as Recorded[];
    expect(after.length).toBe(before + 2);
    const records = after.filter((r) => r.entity === 'Patient/p-intent').sort((a, b) => a.seq.localeCompare(b.seq));
    expect(records.map((r) => r.event.outcome ?? r.event.subtype[1]?.code)).toEqual(['intent', '0']);
  });

  it('fails a route without a resource type (nothing to audit) that tries to announce a change', async () => {
    const publicRoute = { ...createRoute, id: 'test-public', resourceType: undefined, scope: undefined, apiKey: false } as const satisfies RouteDefinition;
    const changing = secureHandler(publicRoute, async (input) => {
      await input.auditIntent('p-none');
      return { statusCode: 201 };
    }, compiledAtRunTime(publicRoute));
    const before = (await dynamo.scan('Audit')).length;
    const result = await changing(proxyEvent({ method: 'POST', path: '/v1/Patient', headers: { 'content-type': 'application/fhir+json' }, body: patientBody }), lambdaContext());
    expect([result.statusCode, outcomeCode(result)]).toEqual([500, 'INTERNAL_ERROR']);
    expect((await dynamo.scan('Audit')).length).toBe(before);
  });
});

describe('attack table', () => {
  it.each(attacks)('$name → $status $code, business function never runs', async ({ status, code, request }) => {
    const audited = (await auditRecords()).length;
    const result = await request();
    expect(result.statusCode).toBe(status);
    expect(outcomeCode(result)).toBe(code);
    expect(calls).toBe(0);
    expect(result.body).not.toMatch(/stack|Error:|at \w+ \(/);
    if (status === 401) expect(result.headers?.['WWW-Authenticate']).toMatch(/^Bearer/);
    if (status === 403) expect(result.headers?.['WWW-Authenticate']).toBe('Bearer error="insufficient_scope"');
    const security = logs.records().filter((r) => r.message === 'security event');
    expect(security).toHaveLength(1);
    expect(logs.text()).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(logs.text()).not.toContain('Ngata');
    const records = await auditRecords();
    expect(records).toHaveLength(audited + 1);
    expect(records.some((r) => r.event.outcome === '4' && r.event.outcomeDesc === code)).toBe(true);
  });
});

describe('headers handed to the business function', () => {
  const declaring = { ...createRoute, id: 'test-declared-headers', schemas: { ...createRoute.schemas, headers: { 'if-none-exist': { type: 'string', maxLength: 64 } } } } as const satisfies RouteDefinition;
  let handed: unknown;
  const recording = secureHandler(declaring, async ({ headers }) => {
    handed = headers;
    return { statusCode: 201, body: { resourceType: 'Patient', id: 'p1' } };
  }, compiledAtRunTime(declaring));

  it('are the ones the route declares, by lower-case name, and no other: never Authorization or the API key', async () => {
    const result = await recording(proxyEvent({
      method: 'POST', path: '/v1/Patient', body: patientBody,
      headers: { 'Content-Type': 'application/fhir+json', ...bearer(await issuer.token()), 'x-api-key': 'key-value', 'If-None-Exist': 'identifier=a', 'x-other': 'o' },
    }), lambdaContext());
    expect(result.statusCode).toBe(201);
    expect(handed).toEqual({ 'if-none-exist': 'identifier=a' });
  });
});

describe('validation errors', () => {
  it('lists failing fields by path and never echoes the submitted value or unknown names', async () => {
    const result = await post(bearer(await issuer.token()), JSON.stringify({ resourceType: 'Patient', age: 'ZAC5361', ZBN77VL: true }));
    expect(result.statusCode).toBe(400);
    const outcome = JSON.parse(result.body) as { issue: Array<{ expression: string[] }> };
    expect(outcome.issue[0]?.expression).toEqual(expect.arrayContaining(['body.age', 'body']));
    expect(result.body).not.toContain('ZAC5361');
    expect(result.body).not.toContain('ZBN77VL');
  });
});

describe('JWKS downloads', () => {
  it('are bounded: a flood of unknown key ids causes at most one re-fetch per interval', async () => {
    await post(bearer(await issuer.token())); // warm the JWKS cache
    const before = issuer.jwksRequests();
    const key = await newKey('rotated-unknown');
    const token = await issuer.token({}, {}, key);
    const results = await Promise.all(Array.from({ length: 20 }, () => post(bearer(token))));
    expect(results.every((r) => r.statusCode === 401)).toBe(true);
    expect(issuer.jwksRequests() - before).toBeLessThanOrEqual(1);
  });
});
