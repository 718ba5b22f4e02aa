import type { RouteDefinition } from '@health-api/core';
import { describe, expect, it } from 'vitest';
import type { EventInput } from '../../../../test/support/events.js';
import { middyRequest, runBefore } from '../../../../test/support/middleware.js';
import { acceptsJson, formatIsJson, isJsonContentType, requestGuards } from './index.js';

const route = {
  id: 'guarded', method: 'POST', path: '/v1/Patient', interaction: 'create', apiKey: true,
  maxBodyBytes: 100, timeoutSeconds: 5, memoryMb: 128, schemas: { headers: { 'if-match': { type: 'string' } } },
} as const satisfies RouteDefinition;
const guards = requestGuards(route, { maxAuthorizationLength: () => 50 });
const json = { 'content-type': 'application/fhir+json' };
const check = (input: EventInput) => runBefore(guards, middyRequest(input));

describe('request guards', () => {
  it('let a plain JSON request through', async () => {
    await expect(check({ headers: { ...json, authorization: 'Bearer a.b.c', accept: 'application/fhir+json' }, body: '{}' })).resolves.toBeUndefined();
  });

  it.each<[string, EventInput, string]>([
    ['a Cookie header, any case', { headers: { CoOkIe: 'a=b' } }, 'COOKIE_NOT_ALLOWED'],
    ['X-HTTP-Method-Override', { headers: { 'X-HTTP-Method-Override': 'DELETE' } }, 'METHOD_OVERRIDE_NOT_ALLOWED'],
    ['two Authorization values', { headers: { authorization: ['Bearer a.b.c', 'Bearer d.e.f'] } }, 'AUTHORIZATION_DUPLICATED'],
    ['Authorization folded with a comma', { headers: { authorization: 'Bearer a.b.c, Bearer d.e.f' } }, 'AUTHORIZATION_DUPLICATED'],
    ['Authorization over the length cap', { headers: { authorization: `Bearer ${'a'.repeat(60)}` } }, 'INVALID_TOKEN'],
    ['access_token in the query', { query: { access_token: 'x' } }, 'INVALID_TOKEN'],
    ['ACCESS_TOKEN in the query', { query: { ACCESS_TOKEN: 'x' } }, 'INVALID_TOKEN'],
    ['Accept: text/html', { headers: { accept: 'text/html' } }, 'NOT_ACCEPTABLE'],
    ['Accept with q=0 for JSON', { headers: { accept: 'application/json;q=0' } }, 'NOT_ACCEPTABLE'],
    ['a text/plain body', { headers: { 'content-type': 'text/plain' }, body: '{}' }, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a JSON body in latin1', { headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' }, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a body without Content-Type', { body: '{}' }, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a body over the route cap', { headers: json, body: 'x'.repeat(101) }, 'PAYLOAD_TOO_LARGE'],
    ['a multi-byte body over the cap in bytes', { headers: json, body: 'é'.repeat(51) }, 'PAYLOAD_TOO_LARGE'],
    ['Content-Type twice', { headers: { 'content-type': ['application/fhir+json', 'text/plain'] }, body: '{}' }, 'DUPLICATE_HEADER'],
    ['Content-Type in two spellings', { headers: { 'Content-Type': 'application/fhir+json', 'content-type': 'application/fhir+json' }, body: '{}' }, 'DUPLICATE_HEADER'],
    ['Accept twice', { headers: { accept: ['application/fhir+json', 'application/fhir+json'] } }, 'DUPLICATE_HEADER'],
    ['a header the route declares, twice', { headers: { 'If-Match': 'W/"1"', 'if-match': 'W/"2"' } }, 'DUPLICATE_HEADER'],
    ['Interaction-Id (declared by every route) twice', { headers: { 'interaction-id': [crypto.randomUUID(), crypto.randomUUID()] } }, 'DUPLICATE_HEADER'],
    ['a repeated query parameter', { query: { patient: ['a', 'b'] } }, 'DUPLICATE_PARAMETER'],
    ['_format=xml, whatever Accept says', { headers: { accept: 'application/fhir+json' }, query: { _format: 'xml' } }, 'NOT_ACCEPTABLE'],
    ['Accept for FHIR STU3', { headers: { accept: 'application/fhir+json; fhirVersion=3.0' } }, 'NOT_ACCEPTABLE'],
    ['a FHIR STU3 body', { headers: { 'content-type': 'application/fhir+json; fhirVersion=3.0' }, body: '{}' }, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('refuse %s', async (_name, input, code) => {
    await expect(check(input)).rejects.toMatchObject({ code });
  });

  it('let a header the route does not read repeat', async () => {
    await expect(check({ headers: { 'x-forwarded-for': ['203.0.113.1', '203.0.113.2'] } })).resolves.toBeUndefined();
  });

  it('count a base64 body by its decoded size', async () => {
    const request = middyRequest({ headers: json, body: Buffer.from('x'.repeat(100)).toString('base64') });
    request.event.isBase64Encoded = true;
    await expect(runBefore(guards, request)).resolves.toBeUndefined();
  });
});

describe('media types', () => {
  it.each([
    undefined, '', '*/*', 'application/*', 'application/fhir+json', 'text/html, application/json;q=0.5',
    'application/fhir+json; fhirVersion=4.0', 'application/fhir+json;fhirVersion=4.0;charset=utf-8', 'application/json; charset="UTF-8"',
    'application/fhir+json,application/json',
  ])('Accept %s is satisfiable', (accept) => {
    expect(acceptsJson(accept)).toBe(true);
  });
  it.each([
    'application/fhir+json', 'application/json; charset=UTF-8', 'Application/JSON', 'application/fhir+json; fhirVersion=4.0',
    'application/fhir+json; fhirVersion=4.0; charset=utf-8', 'application/fhir+json;charset="utf-8";fhirVersion="4.0"',
  ])('Content-Type %s is JSON', (type) => {
    expect(isJsonContentType(type)).toBe(true);
  });
  it.each(['json', 'JSON', 'application/json', 'application/fhir+json', 'application/fhir+json; fhirVersion=4.0'])('_format=%s is JSON', (format) => {
    expect(formatIsJson(format)).toBe(true);
  });
  it.each(['xml', 'application/fhir+xml', 'text/xml', 'ttl', 'html'])('_format=%s is not', (format) => {
    expect(formatIsJson(format)).toBe(false);
  });
  it.each([undefined, 'application/xml', 'application/json-patch+json', 'application/json; boundary=x'])('Content-Type %s is not', (type) => {
    expect(isJsonContentType(type)).toBe(false);
  });
});
