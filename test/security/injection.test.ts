/**
 * Injection payloads in every string field of the create bodies, every path parameter and every
 * query parameter of the manifest, over HTTPS. What each must do is decided from the route's
 * declared contract (its JSON schemas, compiled as the validator compiles them): a value the
 * schema refuses is answered 400 VALIDATION_FAILED with nothing written; a value it admits is
 * inert data, stored and returned byte for byte, and touching no other record.
 */
import type { ErrorCode, JsonSchema, RouteDefinition } from '@health-api/core';
import { orValues, parseToken } from '@health-api/core';
import { routeList, routes } from '@health-api/functions';
import { compileSchema } from '../../packages/middleware/src/request-validation/compile-schema.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response, SecurityStack, StoreSnapshot } from './harness.js';
import { expectNoSecretsLogged, expectRefused, observationBody, outcomeCodeOf, patientBody, requiredSearch, startSecurityStack } from './harness.js';
import { PAYLOADS, payloadsFor } from './injection-payloads.js';
import { generatedExamples } from '../../packages/functions/src/testing/resource-examples.js';

/** The route's schema compiled exactly as request validation compiles it. */
const admits = (schema: JsonSchema) => compileSchema(schema) as (value: unknown) => boolean;

let s: SecurityStack;
let clinical: string;
let patientId: string;
beforeAll(async () => {
  // Hundreds of requests from one address and key: this file is about input, not rate limits.
  const unlimited = { rateLimit: 1e6, burstLimit: 1e6 };
  s = await startSecurityStack({ gateway: { usagePlans: { standard: { throttle: unlimited } }, stageThrottle: unlimited, waf: { ratePerIp: 1e6 } } });
  clinical = await s.token('clinical');
  ({ patientId } = await s.seedPatient());
});
afterAll(() => s?.close());

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** Paths of every string leaf of a JSON value. */
function stringPaths(value: Json, path: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringPaths(item, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => stringPaths(item, [...path, key]));
  return [];
}
function withValue(value: Json, path: ReadonlyArray<string | number>, replacement: Json): Json {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, Json>;
  copy[head as string] = withValue(copy[head as string] as Json, rest, replacement);
  return copy as Json;
}
const valueAt = (value: unknown, path: ReadonlyArray<string | number>): unknown => path.reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);

/** What the semantic checks after validation answer for a schema-valid value at a path. */
function afterValidation(route: RouteDefinition, path: ReadonlyArray<string | number>): { status: number; code?: ErrorCode } {
  if (path.join('.') === 'identifier.0.value') return { status: 400, code: 'INVALID_NHI' };
  if (route.resourceType === 'Observation' && path.join('.') === 'subject.reference') return { status: 422, code: 'REFERENCE_NOT_FOUND' };
  return { status: 201 };
}

/**
 * Sends each request and checks it; then checks the store changed by exactly the created
 * records, each with its idempotency record (nothing else touched), and the audit trail by one
 * record per request plus the intent record of each create.
 */
interface InertCase {
  name: string;
  send: () => Promise<Response>;
  expected: { status: number; code?: ErrorCode };
  check?: (body: Record<string, unknown>) => void;
}

async function expectInert(cases: InertCase[]) {
  const before: StoreSnapshot = await s.snapshot();
  const created: string[] = [];
  // Sent together (they are independent), checked one by one.
  const answers = await Promise.all(cases.map(async (c) => { const response = await c.send(); return { ...c, response, text: await response.text() }; }));
  for (const { name, expected, check, response, text } of answers) {
    expect(response.status, name).toBe(expected.status);
    expect(response.headers.get('set-cookie'), name).toBeNull();
    if (expected.code) expect(outcomeCodeOf(text), name).toBe(expected.code);
    else {
      const body = JSON.parse(text) as Record<string, unknown>;
      if (response.status === 201) created.push(body.id as string);
      check?.(body);
    }
  }
  const after = await s.snapshot();
  expect(after.resources.filter((item) => !created.includes(item.id as string))).toEqual(before.resources);
  expect(new Set(after.resources.filter((item) => created.includes(item.id as string)).map((item) => item.id)).size).toBe(created.length);
  const keysBefore = new Set(before.idempotency.map((item) => item.id));
  expect(after.idempotency.filter((item) => keysBefore.has(item.id))).toEqual(before.idempotency);
  expect(after.idempotency.length - before.idempotency.length).toBe(created.length);
  expect(after.auditCount - before.auditCount).toBe(cases.length + created.length);
  expectNoSecretsLogged(s);
}

const auth = () => ({ authorization: `Bearer ${clinical}` });

describe('injection in every string field of the create bodies', () => {
  const bodies: Array<[RouteDefinition, (subject: string) => Json]> = [
    [routes.patientCreate, () => patientBody() as Json],
    [routes.observationCreate, (subject) => observationBody(subject) as Json],
  ];
  const fieldCases = bodies.flatMap(([route, valid]) => stringPaths(valid('example')).map((path) => [route, valid, path] as const));

  it.each(fieldCases.map(([route, valid, path], i) => [`${route.id} ${path.join('.')}`, route, valid, path, i] as const))('%s', async (_name, route, valid, path, index) => {
    const schema = admits(route.schemas.body as JsonSchema);
    await expectInert(payloadsFor(index).map(([name, payload]) => {
      const body = withValue(valid(patientId), path, payload);
      return {
        name,
        send: () => s.call(route.path.replace(/^\/v1/, ''), { method: 'POST', headers: auth(), body: JSON.stringify(body) }),
        expected: schema(body) ? afterValidation(route, path) : { status: 400, code: 'VALIDATION_FAILED' as const },
        check: (stored: Record<string, unknown>) => expect(valueAt(stored, path), name).toBe(payload),
      };
    }));
  });

  it.each(bodies.map(([route, valid]) => [route.id, route, valid] as const))('%s: NoSQL operator objects and prototype keys in place of a string', async (_name, route, valid) => {
    const target = stringPaths(valid(patientId)).at(-1) as Array<string | number>;
    const placeholder = '\u0000placeholder';
    await expectInert(['{"$gt":""}', '{"$ne":null}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', '["$where","sleep(1000)"]'].map((raw) => ({
      name: raw,
      send: () => s.call(route.path.replace(/^\/v1/, ''), {
        method: 'POST', headers: auth(), body: JSON.stringify(withValue(valid(patientId), target, placeholder)).replace(JSON.stringify(placeholder), raw),
      }),
      expected: { status: 400, code: 'VALIDATION_FAILED' as const },
    })));
  });

  it('overlong UTF-8 and other bytes that are not UTF-8 in a body are refused as malformed JSON', async () => {
    const text = JSON.stringify(patientBody());
    await expectInert(['\xC0\xAE\xC0\xAE\xC0\xAF', '\xFF\xFE', '\xED\xA0\x80'].map((bytes) => ({
      name: Buffer.from(bytes, 'latin1').toString('hex'),
      send: () => s.call('/Patient', { method: 'POST', headers: auth(), body: Buffer.concat([Buffer.from(text.slice(0, 40)), Buffer.from(bytes, 'latin1'), Buffer.from(text.slice(40))]) }),
      expected: { status: 400, code: 'MALFORMED_JSON' as const },
    })));
  });
});

describe('injection in every path parameter', () => {
  const idRoutes = routeList.filter((route) => route.path.includes('{id}'));
  const fhirId = /^[A-Za-z0-9.-]{1,64}$/;
  // Dot segments are resolved by the client before sending; they are the traversal cases below.

  it.each(idRoutes.map((route, i) => [route.id, route, i] as const))('%s', async (_name, route, index) => {
    const token = await s.tokenFor(route);
    const pathPayloads = payloadsFor(index).filter(([, payload]) => payload !== '.' && payload !== '..');
    await expectInert(pathPayloads.map(([name, payload]) => ({
      name,
      send: () => s.call(route.path.replace(/^\/v1/, '').replace('{id}', encodeURIComponent(payload)).replace('{vid}', '1'), {
        method: route.method, headers: { authorization: `Bearer ${token}`, ...(route.method === 'PUT' ? { 'if-match': 'W/"1"' } : {}) },
        // A valid body of the route's type (a generated one's example), so that only the id decides.
        ...(route.method === 'PUT' ? { body: JSON.stringify({ ...(generatedExamples[route.resourceType ?? '']?.(patientId) ?? patientBody()), id: payload }) } : {}),
      }),
      expected: fhirId.test(payload) ? { status: 404, code: 'NOT_FOUND' as const } : { status: 400, code: 'VALIDATION_FAILED' as const },
    })));
  });

  it.each([
    ['encoded slashes', '/Patient/..%2F..%2FObservation', 400, 'VALIDATION_FAILED', 'handler'],
    ['encoded dot segments', '/Patient/%2e%2e%2f%2e%2e%2fetc%2fpasswd', 400, 'VALIDATION_FAILED', 'handler'],
    ['an overlong UTF-8 slash', '/Patient/%C0%AE%C0%AE%C0%AF', 404, 'ROUTE_NOT_FOUND', 'gateway'],
    ['an encoded null byte', '/Patient/abc%00def', 400, 'VALIDATION_FAILED', 'handler'],
    ['a second segment', '/Patient/abc/def', 404, 'ROUTE_NOT_FOUND', 'gateway'],
  ] as const)('a path with %s is refused', async (_name, path, status, code, layer) => {
    const before = await s.snapshot();
    await expectRefused(s, await s.call(path, { headers: auth() }), before, { status, code, layer });
  });
});

describe('injection in every query parameter', () => {
  const searchRoutes = routeList.filter((route) => route.schemas.query);
  const cases = searchRoutes.flatMap((route) => Object.keys(route.schemas.query ?? {}).map((name) => [`${route.id} ?${name}=`, route, name] as const))
    .map(([label, route, name], i) => [label, route, name, i] as const);
  /** What a schema-valid value of each parameter then gets: tokens FHIR calls malformed are 400, the rest a Bundle. */
  const valid = (parameter: string, value: string): { status: number; code?: ErrorCode } => {
    if (parameter === '_cursor') return { status: 400, code: 'INVALID_CURSOR' };
    const tokens = orValues(value);
    if (['identifier', 'code'].includes(parameter) && (tokens.length > 20 || !tokens.every((token) => parseToken(token)))) return { status: 400, code: 'INVALID_SEARCH' };
    return { status: 200 };
  };

  it.each(cases)('%s', async (_name, route, parameter, index) => {
    const schema = admits({ type: 'object', properties: route.schemas.query as JsonSchema, additionalProperties: false });
    const token = await s.tokenFor(route);
    await expectInert(payloadsFor(index).map(([name, payload]) => {
      const query = { ...requiredSearch(route, { patientId }), [parameter]: payload };
      return {
        name,
        send: () => s.call(`${route.path.replace(/^\/v1/, '')}?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${token}` } }),
        expected: schema(query) ? valid(parameter, payload) : { status: 400, code: 'VALIDATION_FAILED' as const },
      };
    }));
  });

  it.each([
    ['that is no search parameter, repeated', '?patient=a&_count=1&_count=2', 'DUPLICATE_PARAMETER'],
    ['repeated more than four times', `?${'patient=a&'.repeat(5)}`, 'DUPLICATE_PARAMETER'],
    ['repeated with an invalid first value', '?patient=..%2Fx&patient=a', 'VALIDATION_FAILED'],
    ['repeated with one empty', '?_count=1&_count=', 'DUPLICATE_PARAMETER'],
    ['a CRLF in a value', '?patient=a&code=a%0d%0aSet-Cookie:%20x%3D1', 'VALIDATION_FAILED'],
  ] as const)('a query parameter %s is refused', async (_name, query, code) => {
    const before = await s.snapshot();
    await expectRefused(s, await s.call(`/Observation${query}`, { headers: auth() }), before, { status: 400, code, layer: 'handler' });
  });

  // FHIR's default handling (lenient): an unknown parameter is dropped before validation, so it
  // reaches no business code; the Bundle names it. Strict handling refuses it.
  it.each([
    ['in another case', '?patient=a&Patient=b', 'Patient'],
    ['asking for another method', '?patient=a&_method=DELETE', '_method'],
  ] as const)('a query parameter %s is ignored and named, and refused under handling=strict', async (_name, query, parameter) => {
    const before = await s.snapshot();
    const lenient = await s.call(`/Observation${query}`, { headers: auth() });
    const bundle = await lenient.json() as { entry: Array<{ search: { mode: string }; resource: { issue?: Array<{ expression?: string[] }> } }> };
    expect(lenient.status).toBe(200);
    expect(bundle.entry.find((e) => e.search.mode === 'outcome')?.resource.issue?.[0]?.expression).toEqual([parameter]);
    const after = await s.snapshot();
    expect([after.resources, after.idempotency]).toEqual([before.resources, before.idempotency]);
    const strict = await s.snapshot();
    await expectRefused(s, await s.call(`/Observation${query}`, { headers: { ...auth(), prefer: 'handling=strict' } }), strict, { status: 400, code: 'UNKNOWN_PARAMETER', layer: 'handler' });
  });
});

describe('method override and hostile headers', () => {
  it.each(['X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override'])('%s: DELETE on a read is refused, the patient stays', async (header) => {
    const before = await s.snapshot();
    const response = await s.call(`/Patient/${patientId}`, { headers: { ...auth(), [header]: 'DELETE' } });
    await expectRefused(s, response, before, { status: 400, code: 'METHOD_OVERRIDE_NOT_ALLOWED', layer: 'handler' });
  });

  it('Idempotency-Key and If-Match carrying each printable payload are refused or inert', async () => {
    const key = admits({ type: 'object', properties: routes.patientCreate.schemas.headers as JsonSchema });
    const printable = PAYLOADS.filter(([, payload]) => /^[\x20-\x7E]+$/.test(payload));
    await expectInert(printable.flatMap(([name, payload]) => [
      {
        name: `If-Match ${name}`,
        send: () => s.call(`/Patient/${patientId}`, { method: 'PUT', headers: { ...auth(), 'if-match': payload }, body: JSON.stringify({ ...patientBody(), id: patientId }) }),
        expected: { status: 400, code: 'VALIDATION_FAILED' as const },
      },
      {
        name: `Idempotency-Key ${name}`,
        send: () => s.call('/Patient', { method: 'POST', headers: { ...auth(), 'idempotency-key': payload }, body: JSON.stringify(patientBody()) }),
        expected: key({ 'idempotency-key': payload }) ? { status: 201 } : { status: 400, code: 'VALIDATION_FAILED' as const },
      },
    ]));
  });
});
