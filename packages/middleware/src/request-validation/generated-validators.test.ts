/**
 * The validators `npm run validators` generates (AJV standalone code, compiled at build time):
 * committed as generated, and giving the verdict and failing fields AJV compiling the same
 * schema at run time gives, over fixed valid and invalid events and generated ones.
 */
import type { RouteDefinition } from '@health-api/core';
import { routeList } from '@health-api/functions';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { observationBody, patientBody, requiredSearch } from '../../../../test/security/harness.js';
import { compileSchema } from './compile-schema.js';
import type { CompiledValidator, RouteValidators } from './compiled-validator.js';
import { criteriaSchema } from './compiled-validator.js';
import { declaredNames, eventSchema } from './event-schema.js';
import { failingFields } from './index.js';
import { GENERATED_DIR, criteriaSearchOf, generatedFiles } from './write-validators.js';

const generated = (route: RouteDefinition) => import(`./generated/${route.id}.js`) as Promise<RouteValidators>;

/** A body the route's schema admits: what the JSON parser hands the validator. */
function validBody(route: RouteDefinition): unknown {
  if (!route.schemas.body) return null;
  const body: Record<string, unknown> = route.resourceType === 'Observation' ? observationBody('p1') : patientBody();
  return route.interaction === 'update' ? { ...body, id: 'p1' } : body;
}

/** A request the route admits, as the validator sees it (header names lower-cased, body parsed). */
function validEvent(route: RouteDefinition): Record<string, unknown> {
  const pathParameters = route.schemas.path ? Object.fromEntries(Object.keys(route.schemas.path).map((name) => [name, name === 'vid' ? '1' : 'p1'])) : null;
  const query = route.interaction === 'search-type' ? requiredSearch(route, { patientId: 'p1' }) : undefined;
  return {
    pathParameters,
    queryStringParameters: query ?? null,
    multiValueQueryStringParameters: query ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null,
    headers: { accept: 'application/fhir+json', 'interaction-id': '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', ...(route.schemas.headers?.['if-match'] ? { 'if-match': 'W/"1"' } : {}) },
    body: validBody(route),
  };
}

/** Fixed ways to break a valid event: each a field the schemas close or bound. */
const BREAKS: Array<[string, (event: Record<string, unknown>) => Record<string, unknown>]> = [
  ['an unknown query parameter', (e) => ({ ...e, queryStringParameters: { evil: '1' }, multiValueQueryStringParameters: { evil: ['1'] } })],
  ['a repeated single-value parameter', (e) => ({ ...e, multiValueQueryStringParameters: { _format: ['json', 'xml'] } })],
  ['a path id breaking its pattern', (e) => ({ ...e, pathParameters: { id: '../x', vid: '1' } })],
  ['an over-long unread header', (e) => ({ ...e, headers: { ...(e.headers as object), 'x-note': 'x'.repeat(9000) } })],
  ['a non-UUID Interaction-Id', (e) => ({ ...e, headers: { ...(e.headers as object), 'interaction-id': 'abc' } })],
  ['a JSON null body', (e) => ({ ...e, body: null })],
  ['a body with an unknown field', (e) => ({ ...e, body: { ...(e.body as object), secretName: 1 } })],
  ['a body of the wrong type', (e) => ({ ...e, body: ['Patient'] })],
  ['a number sent as a string', (e) => ({ ...e, body: { ...(e.body as object), active: 'true' } })],
  ['no headers at all', ({ headers: _headers, ...e }) => e],
];

/** The same verdict and the same failing fields (as the error answer names them) from both. */
function expectSameVerdict(ahead: CompiledValidator, atRunTime: CompiledValidator, declared: ReadonlySet<string>, input: unknown): void {
  const verdict = ahead(input);
  expect(verdict).toBe(atRunTime(input));
  expect(failingFields(ahead.errors ?? [], declared)).toEqual(failingFields(atRunTime.errors ?? [], declared));
  expect(ahead.errors?.map((e) => [e.instancePath, e.keyword])).toEqual(atRunTime.errors?.map((e) => [e.instancePath, e.keyword]));
}

describe('generated validators', () => {
  it('are the committed modules (run `npm run validators` after changing routes or schemas)', () => {
    const files = generatedFiles();
    expect(readdirSync(GENERATED_DIR).sort()).toEqual([...files.keys()].sort());
    for (const [name, text] of files) expect(readFileSync(join(GENERATED_DIR, name), 'utf8'), name).toBe(text);
  });

  it('import nothing: no AJV compiler, no runtime require', () => {
    for (const [name, text] of generatedFiles()) if (name.endsWith('.js')) expect(text, name).not.toMatch(/\brequire\(|^import /m);
  });

  describe.each(routeList.map((route) => [route.id, route] as const))('%s', (_id, route) => {
    const schema = eventSchema(route);
    const declared = declaredNames(schema);
    const atRunTime = compileSchema(schema);

    it('admits the valid request and refuses each broken one exactly as runtime-compiled AJV does', async () => {
      const { event } = await generated(route);
      const valid = validEvent(route);
      expect(event(valid), JSON.stringify(event.errors)).toBe(true);
      for (const [, broken] of BREAKS) expectSameVerdict(event, atRunTime, declared, broken(valid));
    });

    it('property: any event gives the runtime verdict and fields', async () => {
      const { event } = await generated(route);
      const valid = validEvent(route);
      const text = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 80 }), fc.constantFrom('p1', '1', 'W/"1"', 'x'.repeat(9000)));
      const map = fc.option(fc.dictionary(fc.oneof(fc.constantFrom(...declared), fc.string({ maxLength: 12 })), text, { maxKeys: 4 }));
      await fc.assert(fc.asyncProperty(fc.record({
        pathParameters: map,
        queryStringParameters: map,
        multiValueQueryStringParameters: fc.option(fc.dictionary(fc.constantFrom(...declared), fc.array(text, { maxLength: 3 }), { maxKeys: 3 })),
        headers: fc.dictionary(fc.oneof(fc.constantFrom(...declared), fc.string({ maxLength: 12 })), text, { maxKeys: 4 }),
        body: fc.oneof(fc.constant(valid.body), fc.jsonValue({ maxDepth: 3 }), fc.record({ ...Object.fromEntries(Object.entries(valid.body ?? {}).map(([k, v]) => [k, fc.constant(v)])) }, { requiredKeys: [] })),
      }, { requiredKeys: [] }), async (input) => {
        expectSameVerdict(event, atRunTime, declared, { ...valid, ...input });
      }), { numRuns: 150 });
    });

    // Create routes that take If-None-Exist also have a criteria validator.
    const search = criteriaSearchOf(route, routeList);
    if (search) it('checks If-None-Exist criteria as the runtime-compiled criteria schema does', async () => {
      const { criteria } = await generated(route);
      const criteriaAtRunTime = compileSchema(criteriaSchema(search));
      const names = Object.keys(search.schemas.query ?? {});
      await fc.assert(fc.asyncProperty(
        fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 })), fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('p1', 'Patient/p1', 'http://loinc.org|8867-4')), { maxLength: 12 }), { maxKeys: 3 }),
        async (query) => expectSameVerdict(criteria as CompiledValidator, criteriaAtRunTime, new Set(names), query),
      ), { numRuns: 150 });
    });
  });
});
