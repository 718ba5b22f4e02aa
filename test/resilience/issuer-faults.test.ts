/**
 * The token issuer failing under the local stack, for real: its JWKS endpoint answering 503,
 * the whole issuer stopped (connections refused), and a signing-key rotation (the issuer
 * restarted with a new key first and the old one still published). Tokens are the issuer's own;
 * unknown-kid tokens are signed with a key it never published, with otherwise genuine claims.
 */
import { operationOutcome } from '@health-api/core';
import type { ListeningServer } from '@health-api/local';
import { listenHttps, startIssuer } from '@health-api/local';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientCredentialsToken, jwtParts } from '../local/stack-client.js';
import type { FaultStack } from './fault-stack.js';
import { startFaultStack } from './fault-stack.js';

/** Short, so a test can outwait it; the bound is what is tested, not its production value (30 s). */
const REFETCH_INTERVAL_MS = 2_000;
process.env.AUTH_JWKS_REFETCH_INTERVAL_SECONDS = String(REFETCH_INTERVAL_MS / 1000);

const stateDir = mkdtempSync(join(tmpdir(), 'resilience-issuer-'));
let env: FaultStack;
let rotated: ListeningServer | undefined;
beforeAll(async () => { env = await startFaultStack({ stateDir }); });
afterAll(async () => {
  await rotated?.close();
  await env?.close();
});

/** Counts JWKS downloads on an issuer server, and can make that one endpoint fail with 503. */
function watchJwks(server: ListeningServer['server']) {
  const handlers = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  const state = { downloads: 0, down: false };
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/jwks')) {
      state.downloads += 1;
      if (state.down) return void res.writeHead(503).end();
    }
    for (const handler of handlers) handler.call(server, req, res);
  });
  return state;
}

const token = () => clientCredentialsToken(env.client, env.stack, 'clinical');

/** A token like `template` (one of the issuer's) in every claim, signed by a key the issuer never published. */
async function unknownKidToken(template: string): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({ ...jwtParts(template).payload, jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: randomUUID() }).sign(privateKey);
}

/** A data call with this token: 404 (a random id) means the token was accepted. */
const readWith = async (bearer: string) => {
  const response = await env.client.fetch(`${env.stack.baseUrl}/Patient/${randomUUID()}`, {
    headers: { 'x-api-key': env.stack.apiKeys.standard as string, authorization: `Bearer ${bearer}` },
  });
  return {
    status: response.status, body: await response.json(),
    challenge: response.headers.get('www-authenticate'), retryAfter: response.headers.get('retry-after'),
  };
};

/** The issuer's keys could not be had: 503 and retry later, not a refusal of the token. */
async function expectIssuerUnavailable(bearer: string) {
  const answer = await readWith(bearer);
  expect([answer.status, answer.body]).toEqual([503, operationOutcome('SERVICE_UNAVAILABLE')]);
  expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(answer.retryAfter)).toBeLessThanOrEqual(REFETCH_INTERVAL_MS / 1000);
  expect(answer.challenge).toBeNull();
}

describe('the issuer failing', () => {
  it('JWKS endpoint down: cached keys keep verifying, an unknown kid is 503 with Retry-After, and downloads stay bounded', async () => {
    const jwks = watchJwks(env.stack.parts.issuerServer.server);
    const [first, second] = [await token(), await token()];
    expect((await readWith(first)).status).toBe(404); // the JWKS is now cached
    jwks.down = true;
    try {
      const before = jwks.downloads;
      expect((await readWith(second)).status).toBe(404); // a token never seen before, by a cached key
      const forged = await Promise.all(Array.from({ length: 10 }, () => unknownKidToken(second)));
      await sleep(REFETCH_INTERVAL_MS); // the next unknown kid may try a download, which fails
      const started = Date.now();
      for (const bearer of forged) await expectIssuerUnavailable(bearer);
      // At most one download per refetch interval, whatever the number of unknown-kid tokens.
      expect(jwks.downloads - before).toBeLessThanOrEqual(1 + Math.ceil((Date.now() - started) / REFETCH_INTERVAL_MS));
    } finally {
      jwks.down = false;
    }
  });

  it('issuer stopped (connections refused): known keys still verify, an unknown kid is 503 (not 401 or 500), and it recovers', async () => {
    const issuer = env.stack.parts.issuerServer;
    const minted = await token();
    await sleep(REFETCH_INTERVAL_MS); // the next unknown kid may try a download
    await issuer.close();
    try {
      expect((await readWith(minted)).status).toBe(404);
      await expectIssuerUnavailable(await unknownKidToken(minted)); // nothing can be minted now
    } finally {
      await new Promise<void>((resolve) => issuer.server.listen(issuer.port, '127.0.0.1', resolve));
    }
    expect((await readWith(await token())).status).toBe(404);
  });

  it('key rotation: new tokens verify after one bounded re-fetch, old tokens until they expire', async () => {
    const issuer = env.stack.parts.issuerServer;
    const [old1, old2] = [await token(), await token()];
    expect((await readWith(old1)).status).toBe(404);
    const oldKid = jwtParts(old1).header.kid;

    // The deploy: the issuer restarts with a new signing key first and the old one still published.
    await issuer.close();
    const keysFile = join(stateDir, 'issuer', 'signing-keys.json');
    const current = JSON.parse(readFileSync(keysFile, 'utf8')) as { keys: Array<Record<string, unknown>> };
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const fresh = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' };
    writeFileSync(keysFile, JSON.stringify({ keys: [fresh, ...current.keys] }), { mode: 0o600 });
    rotated = await listenHttps(env.stack.parts.tls, issuer.port);
    await startIssuer(rotated, { stateDir: join(stateDir, 'issuer'), audience: env.stack.audience });
    const jwks = watchJwks(rotated.server);

    const newToken = await token();
    expect(jwtParts(newToken).header.kid).toBe(fresh.kid);
    await sleep(REFETCH_INTERVAL_MS); // past the bound since the last download
    expect((await readWith(newToken)).status).toBe(404);
    expect(jwks.downloads).toBe(1);
    expect((await readWith(await token())).status).toBe(404);
    expect(jwtParts(old2).header.kid).toBe(oldKid);
    expect((await readWith(old2)).status).toBe(404); // signed before the rotation, not yet expired
    expect(jwks.downloads).toBe(1);
  });
});
