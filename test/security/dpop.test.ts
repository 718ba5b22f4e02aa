/**
 * DPoP (RFC 9449) attacks over HTTPS on a stage with `AUTH_SENDER_CONSTRAINT=dpop`: tokens
 * from the real local issuer (the backend service, private_key_jwt, with a proof sent to the
 * token endpoint), proofs made with jose, verified by the real handler behind the local gateway,
 * replays refused by the DynamoDB replay table (DynamoDB Local). Each attack changes one thing of a
 * request the first case shows is accepted; each ends with nothing written and nothing leaked.
 */
import { SignJWT, base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DpopClient, ProofOptions } from '../support/dpop.js';
import { ath, dpopClient } from '../support/dpop.js';
import { dpopBoundToken } from '../local/bound-tokens.js';
import type { Refusal, Response, SecurityStack } from './harness.js';
import { expectNoSecretsLogged, expectRefused, patientBody, sendHeaderLines, startSecurityStack } from './harness.js';

let s: SecurityStack;
let client: DpopClient;
let token: string;
beforeAll(async () => {
  s = await startSecurityStack({ senderConstraint: 'dpop' });
  client = await dpopClient();
  token = await dpopBoundToken(s.client, s.stack, client);
  s.remember(token);
});
afterAll(() => s?.close());

const url = (path = '/Patient') => `${s.stack.baseUrl}${path}`;
const body = () => JSON.stringify(patientBody());
const createPatient = (headers: Record<string, string>) => s.call('/Patient', { method: 'POST', headers, body: body() });
/** A proof for the Patient create, with one part changed. */
const proof = (over: Partial<ProofOptions> = {}, by: DpopClient = client) => by.proof({ method: 'POST', url: url(), accessToken: token, ...over });
const withProof = async (over: Partial<ProofOptions> = {}, by?: DpopClient) => createPatient({ authorization: `DPoP ${token}`, dpop: await proof(over, by) });
const now = () => Math.floor(Date.now() / 1000);
const unsignedProof = (alg: string) => {
  const header = { alg, typ: 'dpop+jwt', jwk: client.publicJwk };
  const claims = { jti: crypto.randomUUID(), htm: 'POST', htu: url(), iat: now(), ath: ath(token) };
  return `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(claims))}.`;
};

const badProof: Refusal = { status: 401, code: 'INVALID_DPOP_PROOF', layer: 'handler' };
const badToken: Refusal = { status: 401, code: 'INVALID_TOKEN', layer: 'handler' };

const attacks: Array<{ name: string; expected: Refusal; challenge: 'invalid_dpop_proof' | 'invalid_token'; send: () => Promise<Response> }> = [
  { name: 'a DPoP-bound token sent as Bearer, with a good proof', expected: badToken, challenge: 'invalid_token', send: async () => createPatient({ authorization: `Bearer ${token}`, dpop: await proof() }) },
  { name: 'a plain bearer token on a DPoP stage', expected: badToken, challenge: 'invalid_token', send: async () => createPatient({ authorization: `Bearer ${await s.token('clinical')}` }) },
  { name: 'the DPoP scheme with an unbound token and a proof for it', expected: badToken, challenge: 'invalid_token', send: async () => {
    const plain = await s.token('clinical');
    return createPatient({ authorization: `DPoP ${plain}`, dpop: await proof({ accessToken: plain }) });
  } },
  { name: 'no proof', expected: badProof, challenge: 'invalid_dpop_proof', send: () => createPatient({ authorization: `DPoP ${token}` }) },
  { name: 'a proof for another path', expected: badProof, challenge: 'invalid_dpop_proof', send: () => withProof({ url: url('/Observation') }) },
  { name: 'a proof for another method', expected: badProof, challenge: 'invalid_dpop_proof', send: () => withProof({ method: 'GET' }) },
  { name: 'a proof for another host', expected: badProof, challenge: 'invalid_dpop_proof', send: () => withProof({ url: 'https://api.evil.example/v1/Patient' }) },
  { name: 'a proof for another port', expected: badProof, challenge: 'invalid_dpop_proof', send: () => withProof({ url: url().replace(/:\d+\//, ':1/') }) },
  { name: 'a proof for plain http', expected: badProof, challenge: 'invalid_dpop_proof', send: () => withProof({ url: url().replace('https:', 'http:') }) },
  { name: 'a proof signed by another key (the token is bound to the first)', expected: badToken, challenge: 'invalid_token', send: async () => withProof({}, await dpopClient()) },
  { name: 'a proof carrying the bound key but signed by another', expected: badProof, challenge: 'invalid_dpop_proof', send: async () => withProof({ header: { jwk: client.publicJwk } }, await dpopClient()) },
  { name: 'alg none', expected: badProof, challenge: 'invalid_dpop_proof', send: () => createPatient({ authorization: `DPoP ${token}`, dpop: unsignedProof('none') }) },
  { name: 'HS256 keyed with the public key', expected: badProof, challenge: 'invalid_dpop_proof', send: async () => {
    const secret = new TextEncoder().encode(JSON.stringify(client.publicJwk));
    const claims = { jti: crypto.randomUUID(), htm: 'POST', htu: url(), iat: now(), ath: ath(token) };
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: client.publicJwk }).sign(secret);
    return createPatient({ authorization: `DPoP ${token}`, dpop: hs });
  } },
  { name: 'a private jwk in the proof', expected: badProof, challenge: 'invalid_dpop_proof', send: () => withProof({ header: { jwk: client.privateJwk } }) },
  { name: 'typ JWT instead of dpop+jwt', expected: badProof, challenge: 'invalid_dpop_proof', send: () => withProof({ header: { typ: 'JWT' } }) },
  { name: 'iat two minutes old', expected: badProof, challenge: 'invalid_dpop_proof', send: () => withProof({ claims: { iat: now() - 120 } }) },
  { name: 'iat in the future', expected: badProof, challenge: 'invalid_dpop_proof', send: () => withProof({ claims: { iat: now() + 120 } }) },
  { name: 'no ath', expected: badProof, challenge: 'invalid_dpop_proof', send: () => withProof({ claims: { ath: undefined } }) },
  { name: 'ath of another token', expected: badProof, challenge: 'invalid_dpop_proof', send: async () => withProof({ accessToken: await s.forge() }) },
  { name: 'a proof over 8 KB (under the gateway header limit)', expected: badProof, challenge: 'invalid_dpop_proof', send: async () => {
    const large = await proof({ claims: { pad: 'x'.repeat(6300) } });
    expect(large.length).toBeGreaterThan(8192);
    return createPatient({ authorization: `DPoP ${token}`, dpop: large });
  } },
  { name: 'two DPoP headers', expected: badProof, challenge: 'invalid_dpop_proof', send: async () => sendHeaderLines(s, '/Patient', {
    method: 'POST', body: body(),
    lines: [['content-type', 'application/fhir+json'], ['idempotency-key', crypto.randomUUID()], ['authorization', `DPoP ${token}`], ['dpop', await proof()], ['dpop', await proof()]],
  }) },
];

describe('DPoP attacks over HTTPS (stage AUTH_SENDER_CONSTRAINT=dpop)', () => {
  it('accepts a DPoP-bound token from the real issuer with a fresh proof (so each attack below fails for its one reason)', async () => {
    expect(JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString())).toMatchObject({ cnf: { jkt: client.jkt }, client_id: 'backend-service' });
    const response = await withProof();
    expect(response.status).toBe(201);
    await response.arrayBuffer();
    expectNoSecretsLogged(s);
  });

  it('compares htu without the query string (RFC 9449 section 4.3): a read with ?_format=json passes authentication', async () => {
    const read = await s.call('/Patient/unknown-id?_format=json', { headers: { authorization: `DPoP ${token}`, dpop: await proof({ method: 'GET', url: url('/Patient/unknown-id') }) } });
    expect(read.status).toBe(404);
    await read.arrayBuffer();
  });

  it('refuses a proof used a second time → 401 INVALID_DPOP_PROOF, nothing written the second time', async () => {
    const once = await proof();
    const first = await createPatient({ authorization: `DPoP ${token}`, dpop: once });
    expect(first.status).toBe(201);
    await first.arrayBuffer();
    const before = await s.snapshot();
    const replayed = await createPatient({ authorization: `DPoP ${token}`, dpop: once });
    expect(replayed.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
    await expectRefused(s, replayed, before, badProof);
  });

  it.each(attacks.map((attack) => [attack.name, attack.expected.status, attack.expected.code, attack] as const))('%s → %i %s, nothing written, nothing leaked', async (_name, _status, _code, { expected, challenge, send }) => {
    const before = await s.snapshot();
    const response = await send();
    expect(response.headers.get('www-authenticate')).toMatch(new RegExp(`^DPoP error="${challenge}", algs="ES256 `));
    await expectRefused(s, response, before, expected);
  });
});
