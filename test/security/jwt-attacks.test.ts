/**
 * The skeleton's JWT attack table (packages/middleware/src/secure-handler.test.ts), over HTTPS
 * through the local gateway to the real Patient create handler. Forged tokens are signed with
 * the stack issuer's own key unless the attack is the key, so each fails for one reason only;
 * the first case proves a forged token with nothing wrong is accepted.
 */
import { SignJWT, base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKey } from '../support/issuer.js';
import type { Refusal, Response, SecurityStack } from './harness.js';
import { expectNoSecretsLogged, expectRefused, patientBody, sendHeaderLines, startSecurityStack } from './harness.js';

let s: SecurityStack;
beforeAll(async () => { s = await startSecurityStack(); });
afterAll(() => s?.close());

const body = () => JSON.stringify(patientBody());
const createPatient = (headers: Record<string, string>, query = '') => s.call(`/Patient${query}`, { method: 'POST', headers, body: body() });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const unsigned = (header: object, payload: object) => `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.`;
const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({ iss: s.stack.issuer, aud: s.stack.audience, client_id: 'clinical', sub: 'clinical', iat: now(), exp: now() + 600, scope: s.stack.clients.clinical.scope });

/** Two Authorization header lines, which fetch would fold into one. */
const twoAuthorizationHeaders = (first: string, second: string): Promise<Response> => sendHeaderLines(s, '/Patient', {
  method: 'POST', lines: [['content-type', 'application/fhir+json'], ['authorization', first], ['authorization', second]], body: body(),
});

const unauthenticated: Refusal = { status: 401, code: 'INVALID_TOKEN', layer: 'handler' };
const attacks: Array<{ name: string; expected: Refusal; send: () => Promise<Response> }> = [
  { name: 'no token', expected: { status: 401, code: 'MISSING_TOKEN', layer: 'handler' }, send: () => createPatient({}) },
  { name: 'alg none', expected: unauthenticated, send: async () => createPatient(bearer(unsigned({ alg: 'none', typ: 'at+jwt' }, claims()))) },
  {
    name: 'HS256 signed with the public key', expected: unauthenticated, send: async () => {
      const jwks = await (await s.client.fetch(`${s.stack.issuer}/jwks`)).text();
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).sign(new TextEncoder().encode(jwks));
      s.remember(token);
      return createPatient(bearer(token));
    },
  },
  { name: 'wrong iss', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge({ iss: 'https://evil.example' }))) },
  { name: 'wrong aud', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge({ aud: 'https://other.api.example/v1' }))) },
  { name: 'expired', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge({ iat: now() - 700, exp: now() - 100 }))) },
  { name: 'nbf in the future', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge({ nbf: now() + 300 }))) },
  { name: 'no exp', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge({ exp: undefined }))) },
  { name: 'no iat', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge({ iat: undefined }))) },
  { name: 'lifetime over the cap', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge({ exp: now() + 3600 }))) },
  { name: 'crit header', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge({}, { crit: ['b64'], b64: true }))) },
  { name: 'typ of an ID token', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge({}, { typ: 'id+jwt' }))) },
  { name: 'no typ', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge({}, { typ: undefined }))) },
  { name: 'typ JWT', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge({}, { typ: 'JWT' }))) },
  { name: 'kid with path characters', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge({}, { kid: '../../../etc/passwd' }))) },
  { name: 'jku header', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge({}, { jku: 'https://evil.example/jwks' }))) },
  { name: 'x5u header', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge({}, { x5u: 'https://evil.example/cert.pem' }))) },
  ...(['unknown kid', 'the issuer\'s kid'] as const).map((which) => ({
    name: `signed by a key the issuer does not publish, with ${which}`, expected: unauthenticated, send: async () => {
      const [published] = ((await (await s.client.fetch(`${s.stack.issuer}/jwks`)).json()) as { keys: Array<{ kid: string }> }).keys;
      const key = await newKey(which === 'unknown kid' ? 'attacker-key' : (published?.kid as string));
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid }).sign(key.privateKey);
      s.remember(token);
      return createPatient(bearer(token));
    },
  })),
  {
    name: 'jwk header carrying the attacker\'s key', expected: unauthenticated, send: async () => {
      const key = await newKey('attacker-key');
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid, jwk: key.publicJwk }).sign(key.privateKey);
      s.remember(token);
      return createPatient(bearer(token));
    },
  },
  {
    name: 'one bit of the signature changed', expected: unauthenticated, send: async () => {
      const token = await s.forge();
      const flipped = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`;
      s.remember(flipped);
      return createPatient(bearer(flipped));
    },
  },
  { name: 'payload swapped under a valid signature', expected: unauthenticated, send: async () => {
    const [header, , signature] = (await s.forge({ scope: 'system/Patient.r' })).split('.');
    const token = `${header}.${base64url.encode(JSON.stringify(claims()))}.${signature}`;
    s.remember(token);
    return createPatient(bearer(token));
  } },
  { name: 'malformed base64', expected: unauthenticated, send: () => createPatient(bearer('eyJhbGciOi$$.e30.c2ln')) },
  { name: 'not a bearer scheme', expected: unauthenticated, send: () => createPatient({ authorization: `Basic ${btoa('clinical:guess')}` }) },
  { name: 'token in the query string', expected: unauthenticated, send: async () => createPatient({}, `?access_token=${await s.forge()}`) },
  { name: 'token in the query string beside a header', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge()), `?access_token=${await s.forge()}`) },
  { name: 'cookie present', expected: { status: 400, code: 'COOKIE_NOT_ALLOWED', layer: 'handler' }, send: async () => createPatient({ ...bearer(await s.forge()), cookie: 'session=abc' }) },
  { name: 'two Authorization headers', expected: { status: 400, code: 'AUTHORIZATION_DUPLICATED', layer: 'handler' }, send: async () => twoAuthorizationHeaders(`Bearer ${await s.forge()}`, `Bearer ${await s.forge()}`) },
  { name: 'two tokens folded into one header', expected: { status: 400, code: 'AUTHORIZATION_DUPLICATED', layer: 'handler' }, send: async () => createPatient({ authorization: `Bearer ${await s.forge()}, Bearer ${await s.forge()}` }) },
  // API Gateway's 10 KB header limit answers before any handler: the token is never parsed.
  { name: '100 KB token', expected: { status: 431, code: 'HEADERS_TOO_LARGE', layer: 'gateway' }, send: async () => createPatient(bearer(await s.forge({ pad: 'x'.repeat(100_000) }))) },
  { name: 'token longer than the Authorization cap but under the header limit', expected: unauthenticated, send: async () => createPatient(bearer(await s.forge({ pad: 'x'.repeat(5000) }))) },
];

describe('JWT attacks over HTTPS', () => {
  it('accepts a forged token with nothing wrong (so each attack below fails for its one reason)', async () => {
    const response = await createPatient(bearer(await s.forge()));
    expect(response.status).toBe(201);
    await response.arrayBuffer();
    expectNoSecretsLogged(s);
  });

  it.each(attacks.map((attack) => [attack.name, attack.expected.status, attack.expected.code, attack] as const))('%s → %i %s, nothing written, nothing leaked', async (_name, _status, _code, { expected, send }) => {
    const before = await s.snapshot();
    const response = await send();
    await expectRefused(s, response, before, expected);
    if (expected.status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});
