import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactEverywhere, redactString, redactingReplacer } from './redact.js';

const stringify = (value: unknown) => JSON.stringify(value, redactingReplacer);

describe('log redaction', () => {
  it.each(['authorization', 'Authorization', 'x-api-key', 'apiKey', 'client_secret', 'accessToken', 'cookie', 'body', 'name', 'birthDate', 'identifier', 'nhi', 'telecom', 'address'])(
    'redacts the value of key %s', (key) => {
      expect(stringify({ [key]: 'ZAC5361 Aroha' })).toBe(`{"${key}":"${REDACTED}"}`);
    });

  it.each(['clientSecret', 'reasonToken', 'statusPayload', 'requestCookie', 'Authorization', 'sourceAddress'])(
    'redacts %s, though its neighbours are on the list of keys every line carries', (key) => {
      expect(stringify({ clientId: 'c', reason: 'r', status: 200, [key]: 'ZAC5361 Aroha' })).toBe(`{"clientId":"c","reason":"r","status":200,"${key}":"${REDACTED}"}`);
    });

  it.each([
    ['a bearer header value', 'sent Bearer abc.def.ghi'],
    ['a JWT', 'token eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
    ['an old-format NHI', 'patient ZAC5361 seen'],
    ['a new-format NHI', 'patient zbn77vl seen'],
    ['an API key', 'key Xk2mP9qR7sT4vW8yZ1aB3cD5eF6gH0jK'],
  ])('redacts %s inside any string', (_name, text) => {
    expect(redactString(text)).toContain(REDACTED);
  });

  it('keeps ordinary operational values', () => {
    const line = { route: 'GET /v1/Patient/{id}', status: 404, requestId: 'c0a8f1e2-3b4c-4d5e-8f90-123456789abc', latencyMs: 1.5, errorName: 'ProvisionedThroughputExceededException' };
    expect(JSON.parse(stringify(line))).toEqual(line);
  });

  it('never lets a generated NHI or JWT through, wherever it sits', () => {
    const nhi = fc.tuple(
      fc.stringMatching(/^[A-HJ-NP-Z]{3}$/),
      fc.stringMatching(/^\d{4}$|^\d{2}[A-HJ-NP-Z]{2}$/),
    ).map(([a, b]) => a + b);
    fc.assert(fc.property(nhi, fc.string({ maxLength: 20 }), fc.constantFrom('message', 'detail', 'x'), (id, noise, key) => {
      const out = stringify({ [key]: `${noise} ${id} ${noise}`, nested: [{ note: id }] });
      expect(out).not.toContain(id);
    }));
  });

  it('answers exactly as every pattern applied everywhere would, though it skips strings none can match', () => {
    // Pieces of each pattern and of its near misses (I and O, one digit short, 29 in a row, other
    // scripts, word boundaries), joined at random, so the fast path meets every edge it decides on.
    const piece = fc.oneof(
      fc.constantFrom('Bearer ', 'bearer\t', 'BEARER', 'beare', 'eyJ', 'eyj', '.', '-', '_', ' ', '/', 'ABC', 'abc', 'IOI', 'io', 'ZAC', '1', '12', '1234', 'VL', 'ı', 'ſ', 'K', 'é', '0'),
      fc.stringMatching(/^[A-Za-z0-9]{25,35}$/),
      fc.stringMatching(/^[A-HJ-NP-Za-hj-np-z]{3}\d{2}(?:\d{2}|[A-HJ-NP-Za-hj-np-z]{2})$/),
      fc.stringMatching(/^eyJ[\w-]{0,8}\.[\w-]{0,8}$/),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 6 }),
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 10 }).map((parts) => parts.join('')), (text) => {
      expect(redactString(text)).toBe(redactEverywhere(text));
    }), { numRuns: 5000 });
  });

  it('leaves the fields of an access line as they are, and redacts a token in any of them', () => {
    const fields = ['INFO', 'request', '2026-12-06T08:05:48.430Z', 'arn:aws:lambda:ap-southeast-2:000000000000:function:test', '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', 'GET /v1/Patient/{id}', '203.0.113.9'];
    for (const field of fields) {
      expect(redactString(field)).toBe(field);
      expect(redactString(`${field} Xk2mP9qR7sT4vW8yZ1aB3cD5eF6gH0jK`)).toBe(`${field} ${REDACTED}`);
    }
  });
});
