import { ApiError } from '@health-api/core';
import { describe, expect, it } from 'vitest';
import { dpopClient } from '../../../../test/support/dpop.js';
import { proxyEvent } from '../../../../test/support/events.js';
import { readFileSync } from 'node:fs';
import { certificateThumbprint } from './certificate-binding.js';
import type { BindingInput } from './index.js';
import { checkSenderConstraint, requiredConstraints } from './index.js';
import type { ReplayStore } from './replay-store.js';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
/** The URL the test events were received at (events.ts: domain api.example.test, stage test). */
const URL_ = 'https://api.example.test/test/v1/Patient';

function memoryStore(): ReplayStore {
  const seen = new Set<string>();
  return { firstUse: async (jkt, jti) => !seen.has(`${jkt} ${jti}`) && Boolean(seen.add(`${jkt} ${jti}`)) };
}

const input = (over: Partial<BindingInput> & { headers?: Record<string, string | string[]>; certPem?: string }): BindingInput => {
  const event = proxyEvent({ method: 'POST', path: '/v1/Patient', headers: over.headers ?? {} });
  if (over.certPem) event.requestContext.identity.clientCert = { clientCertPem: over.certPem } as never;
  const store = memoryStore();
  return { event, scheme: 'bearer', token: TOKEN, payload: {}, required: new Set(), replay: async () => store, ...over };
};

async function refusal(work: Promise<void>): Promise<{ code: string; reason: string | undefined; challenge: string | undefined }> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return { code: error.code, reason: error.reason, challenge: error.headers['WWW-Authenticate'] };
}

describe('requiredConstraints', () => {
  it('is the stage\'s constraint plus the route\'s own demand; a route never demands less', () => {
    expect([...requiredConstraints({}, 'none')]).toEqual([]);
    expect([...requiredConstraints({ senderConstraint: 'dpop' }, 'none')]).toEqual(['dpop']);
    expect([...requiredConstraints({}, 'mtls')]).toEqual(['mtls']);
    expect([...requiredConstraints({ senderConstraint: 'dpop' }, 'mtls')].sort()).toEqual(['dpop', 'mtls']);
  });
});

describe('checkSenderConstraint', () => {
  it('lets a plain bearer token through where nothing is required (the default)', async () => {
    await expect(checkSenderConstraint(input({}))).resolves.toBeUndefined();
  });

  it('takes a DPoP-bound token with the DPoP scheme and a fresh proof of its key, once', async () => {
    const client = await dpopClient();
    const proof = await client.proof({ method: 'POST', url: URL_, accessToken: TOKEN });
    const store = memoryStore();
    const request = () => input({ scheme: 'dpop', payload: { cnf: { jkt: client.jkt } }, headers: { dpop: proof }, replay: async () => store });
    await expect(checkSenderConstraint(request())).resolves.toBeUndefined();
    expect(await refusal(checkSenderConstraint(request()))).toMatchObject({ code: 'INVALID_DPOP_PROOF', reason: 'proof-replayed', challenge: expect.stringMatching(/^DPoP error="invalid_dpop_proof", algs="ES256 /) });
  });

  it.each<[string, (jkt: string, proof: string) => Partial<BindingInput> & { headers?: Record<string, string | string[]> }, string, string]>([
    ['a bound token sent as Bearer', (jkt, proof) => ({ payload: { cnf: { jkt } }, headers: { dpop: proof } }), 'INVALID_TOKEN', 'bound-token-as-bearer'],
    ['the DPoP scheme with an unbound token', (_jkt, proof) => ({ scheme: 'dpop', headers: { dpop: proof } }), 'INVALID_TOKEN', 'dpop-scheme-unbound-token'],
    ['an unbound token where DPoP is required', () => ({ required: new Set(['dpop'] as const) }), 'INVALID_TOKEN', 'token-not-dpop-bound'],
    ['no proof', (jkt) => ({ scheme: 'dpop', payload: { cnf: { jkt } } }), 'INVALID_DPOP_PROOF', 'no-proof'],
    ['two proofs', (jkt, proof) => ({ scheme: 'dpop', payload: { cnf: { jkt } }, headers: { dpop: [proof, proof] } }), 'INVALID_DPOP_PROOF', 'proof-repeated'],
    ['a token bound to another key', (_jkt, proof) => ({ scheme: 'dpop', payload: { cnf: { jkt: 'another-key-thumbprint' } }, headers: { dpop: proof } }), 'INVALID_TOKEN', 'jkt-mismatch'],
    ['an unreadable cnf', (_jkt, proof) => ({ scheme: 'dpop', payload: { cnf: 'x' }, headers: { dpop: proof } }), 'INVALID_TOKEN', 'no-client-certificate'],
  ])('refuses %s with the DPoP challenge', async (_name, build, code, reason) => {
    const client = await dpopClient();
    const proof = await client.proof({ method: 'POST', url: URL_, accessToken: TOKEN });
    const result = await refusal(checkSenderConstraint(input(build(client.jkt, proof))));
    expect(result).toMatchObject({ code, reason });
    expect(result.challenge).toMatch(/^DPoP /);
  });

  it('answers 503 (fail closed) when the replay store cannot be asked', async () => {
    const client = await dpopClient();
    const proof = await client.proof({ method: 'POST', url: URL_, accessToken: TOKEN });
    const broken: ReplayStore = { firstUse: () => Promise.reject(new Error('down')) };
    expect(await refusal(checkSenderConstraint(input({ scheme: 'dpop', payload: { cnf: { jkt: client.jkt } }, headers: { dpop: proof }, replay: async () => broken }))))
      .toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'dependency-dpop-replay-store' });
  });

  describe('certificate-bound tokens (RFC 8705)', () => {
    const certPem = readFileSync(new URL('./testdata/client.pem', import.meta.url), 'utf8');
    const otherPem = readFileSync(new URL('./testdata/other-client.pem', import.meta.url), 'utf8');
    const x5t = certificateThumbprint(certPem) as string;

    it('takes a token bound to the client certificate the gateway verified', async () => {
      await expect(checkSenderConstraint(input({ payload: { cnf: { 'x5t#S256': x5t } }, certPem, required: new Set(['mtls'] as const) }))).resolves.toBeUndefined();
    });

    it.each<[string, Partial<BindingInput> & { certPem?: string }, string]>([
      ['a token bound to another certificate', { payload: { cnf: { 'x5t#S256': x5t } }, certPem: otherPem }, 'certificate-mismatch'],
      ['a bound token without a client certificate', { payload: { cnf: { 'x5t#S256': x5t } } }, 'no-client-certificate'],
      ['an unbound token where mTLS is required', { certPem, required: new Set(['mtls'] as const) }, 'token-not-certificate-bound'],
      ['a certificate that is not one', { payload: { cnf: { 'x5t#S256': x5t } }, certPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }, 'no-client-certificate'],
    ])('refuses %s as invalid_token', async (_name, over, reason) => {
      expect(await refusal(checkSenderConstraint(input(over)))).toEqual({ code: 'INVALID_TOKEN', reason, challenge: 'Bearer error="invalid_token"' });
    });
  });
});
