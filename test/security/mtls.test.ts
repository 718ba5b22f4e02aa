/**
 * Certificate-bound tokens (RFC 8705) over mutual TLS, on a stage with
 * `AUTH_SENDER_CONSTRAINT=mtls` whose gateway takes only connections with a client certificate of
 * the local CA, as an API Gateway custom domain with a truststore does. The token comes from the
 * real local issuer (client authenticated by its certificate, token bound to it); the handler
 * compares the binding with the certificate the gateway passed in `requestContext.identity.clientCert`.
 */
import { loadOrCreateClientCert } from '../../packages/local/src/tls-material.js';
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateBoundToken, certificateClient } from '../local/bound-tokens.js';
import type { Refusal, Response, SecurityStack } from './harness.js';
import { expectNoSecretsLogged, expectRefused, patientBody, startSecurityStack } from './harness.js';

let s: SecurityStack;
let service: ReturnType<typeof certificateClient>;
let other: ReturnType<typeof certificateClient>;
let token: string;
let plainGateway: string;
beforeAll(async () => {
  s = await startSecurityStack({ mtls: true, senderConstraint: 'mtls' });
  service = certificateClient(s.stack, s.stack.certificateBoundService);
  other = certificateClient(s.stack, await loadOrCreateClientCert(join(s.stateDir, 'tls'), 'other'));
  token = await certificateBoundToken(service, s.stack);
  s.remember(token);
  // The same handlers behind a gateway that asks for no certificate: no clientCert reaches them.
  plainGateway = (await s.extraGateway()).baseUrl;
});
afterAll(async () => {
  await service?.close();
  await other?.close();
  await s?.close();
});

/** A Patient create through the mutual-TLS gateway with `client`'s certificate. */
const createPatient = (client: { fetch: typeof service.fetch }, authorization: string, baseUrl = s.stack.baseUrl): Promise<Response> => client.fetch(`${baseUrl}/Patient`, {
  method: 'POST',
  headers: { 'x-api-key': s.stack.apiKeys.standard as string, 'content-type': 'application/fhir+json', 'idempotency-key': crypto.randomUUID(), authorization },
  body: JSON.stringify(patientBody()),
}) as Promise<Response>;

const badToken: Refusal = { status: 401, code: 'INVALID_TOKEN', layer: 'handler' };

describe('certificate-bound tokens over mutual TLS (stage AUTH_SENDER_CONSTRAINT=mtls)', () => {
  it('accepts the token over a connection made with the certificate it is bound to', async () => {
    const { cnf } = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { cnf: Record<string, string> };
    const der = new X509Certificate(readFileSync(s.stack.certificateBoundService.certFile)).raw;
    expect(cnf['x5t#S256']).toBe(createHash('sha256').update(der).digest('base64url'));
    const response = await createPatient(service, `Bearer ${token}`);
    expect(response.status).toBe(201);
    await response.arrayBuffer();
    expectNoSecretsLogged(s);
  });

  it.each<[string, () => Promise<Response>]>([
    ['a token bound to another certificate', () => createPatient(other, `Bearer ${token}`)],
    ['a bound token through a gateway that passes no certificate', () => createPatient(s.client, `Bearer ${token}`, plainGateway)],
    ['an unbound token on an mTLS stage, even with a good certificate', async () => createPatient(service, `Bearer ${await s.token('clinical')}`)],
  ])('%s → 401 INVALID_TOKEN, nothing written, nothing leaked', async (_name, send) => {
    const before = await s.snapshot();
    const response = await send();
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    await expectRefused(s, response, before, badToken);
  });

  it.each<[string, () => Promise<Agent>]>([
    ['no client certificate', async () => new Agent({ connect: { ca: s.stack.caPem } })],
    ['a certificate of another CA', async () => {
      const stranger = await generate([{ name: 'commonName', value: 'Health API local client service' }], { keyType: 'ec', algorithm: 'sha256' });
      return new Agent({ connect: { ca: s.stack.caPem, cert: stranger.cert, key: stranger.private } });
    }],
  ])('refuses the TLS handshake with %s: no request reaches the gateway', async (_name, agent) => {
    const dispatcher = await agent();
    const before = await s.snapshot();
    const lines = s.log.lines.length;
    await expect(fetch(`${s.stack.baseUrl}/Patient`, { method: 'POST', dispatcher, headers: { authorization: `Bearer ${token}` }, body: '{}' })).rejects.toThrow();
    expect(await s.snapshot()).toEqual(before);
    expect(s.log.lines.length).toBe(lines);
    await dispatcher.close();
  });
});
