import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactString, redactingReplacer } from './redact.js';

const stringify = (value: unknown) => JSON.stringify(value, redactingReplacer);

describe('log redaction', () => {
  it.each(['authorization', 'Authorization', 'x-api-key', 'apiKey', 'client_secret', 'accessToken', 'cookie', 'body', 'name', 'birthDate', 'identifier', 'nhi', 'telecom', 'address'])(
    'redacts the value of key %s', (key) => {
      expect(stringify({ [key]: 'ZAC5361 Aroha' })).toBe(`{"${key}":"${REDACTED}"}`);
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
});
