import { SignJWT, base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { dpopClient } from '../../../../test/support/dpop.js';
import { verifyDpopProof } from './dpop-proof.js';
import { ProofRejected } from './dpop-rules.js';

const URL_ = 'https://api.example.nz/v1/Patient';
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
const request = { method: 'POST', url: URL_, accessToken: TOKEN };
const now = () => Math.floor(Date.now() / 1000);
const rejected = (reason: string) => expect.objectContaining({ name: 'ProofRejected', reason });

describe('verifyDpopProof', () => {
  it('accepts a proof for this method, URL and token, and returns its key thumbprint', async () => {
    const client = await dpopClient();
    const proof = await client.proof({ method: 'POST', url: URL_, accessToken: TOKEN });
    await expect(verifyDpopProof(proof, request)).resolves.toMatchObject({ jkt: client.jkt });
  });

  it('compares htu without query or fragment, and the host case-insensitively (RFC 9449 section 4.3)', async () => {
    const client = await dpopClient();
    const proof = await client.proof({ method: 'POST', url: 'https://API.example.nz/v1/Patient?x=1#f', accessToken: TOKEN });
    await expect(verifyDpopProof(proof, { ...request, url: `${URL_}?_format=json` })).resolves.toMatchObject({ jkt: client.jkt });
  });

  it.each<[string, Parameters<Awaited<ReturnType<typeof dpopClient>>['proof']>[0], string]>([
    ['another method', { method: 'GET', url: URL_, accessToken: TOKEN }, 'htm-mismatch'],
    ['another path', { method: 'POST', url: 'https://api.example.nz/v1/Observation', accessToken: TOKEN }, 'htu-mismatch'],
    ['another host', { method: 'POST', url: 'https://evil.example/v1/Patient', accessToken: TOKEN }, 'htu-mismatch'],
    ['http instead of https', { method: 'POST', url: 'http://api.example.nz/v1/Patient', accessToken: TOKEN }, 'htu-mismatch'],
    ['no ath', { method: 'POST', url: URL_ }, 'no-ath'],
    ['ath of another token', { method: 'POST', url: URL_, accessToken: `${TOKEN}x` }, 'ath-mismatch'],
    ['iat too old', { method: 'POST', url: URL_, accessToken: TOKEN, claims: { iat: now() - 120 } }, 'iat-too-old'],
    ['iat in the future', { method: 'POST', url: URL_, accessToken: TOKEN, claims: { iat: now() + 120 } }, 'iat-in-future'],
    ['no iat', { method: 'POST', url: URL_, accessToken: TOKEN, claims: { iat: undefined } }, 'no-iat'],
    ['no jti', { method: 'POST', url: URL_, accessToken: TOKEN, claims: { jti: undefined } }, 'bad-jti'],
    ['typ JWT', { method: 'POST', url: URL_, accessToken: TOKEN, header: { typ: 'JWT' } }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
  ])('refuses a proof with %s', async (_name, options, reason) => {
    const client = await dpopClient();
    await expect(verifyDpopProof(await client.proof(options), request)).rejects.toEqual(rejected(reason));
  });

  it('refuses alg none, HS256, a private jwk, a key it was not signed with, and an oversized proof', async () => {
    const client = await dpopClient();
    const other = await dpopClient();
    const claims = { jti: crypto.randomUUID(), htm: 'POST', htu: URL_, iat: now(), ath: base64url.encode(new Uint8Array(32)) };
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: client.publicJwk }))}.${base64url.encode(JSON.stringify(claims))}.`;
    await expect(verifyDpopProof(none, request)).rejects.toBeInstanceOf(ProofRejected);
    const secret = new TextEncoder().encode('a-shared-secret-of-thirty-two-by');
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: base64url.encode(secret) } as never }).sign(secret);
    await expect(verifyDpopProof(hs, request)).rejects.toBeInstanceOf(ProofRejected);
    const withPrivate = await client.proof({ method: 'POST', url: URL_, accessToken: TOKEN, header: { jwk: client.privateJwk } });
    await expect(verifyDpopProof(withPrivate, request)).rejects.toEqual(rejected('private-key-in-proof'));
    const foreign = await client.proof({ method: 'POST', url: URL_, accessToken: TOKEN, header: { jwk: other.publicJwk } });
    await expect(verifyDpopProof(foreign, request)).rejects.toEqual(rejected('ERR_JWS_SIGNATURE_VERIFICATION_FAILED'));
    const large = await client.proof({ method: 'POST', url: URL_, accessToken: TOKEN, claims: { pad: 'x'.repeat(8200) } });
    await expect(verifyDpopProof(large, request)).rejects.toEqual(rejected('proof-too-large'));
  });
});
