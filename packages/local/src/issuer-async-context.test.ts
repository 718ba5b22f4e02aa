import { executionAsyncId } from 'node:async_hooks';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ListeningServer } from './https-server.js';
import { listenHttps } from './https-server.js';
import type { LocalIssuer } from './issuer.js';
import { startIssuer } from './issuer.js';
import type { TlsMaterial } from './tls-material.js';
import { loadOrCreateTls } from './tls-material.js';

/** Promises carry an async id only while a promise hook is on; 0 means none is. */
const promiseHooksOn = async () => (await Promise.resolve().then(() => executionAsyncId())) !== 0;

let tls: TlsMaterial;
let server: ListeningServer;
let issuer: LocalIssuer;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'issuer-context-'));
  tls = await loadOrCreateTls(join(dir, 'tls'));
  server = await listenHttps(tls, 0);
  issuer = await startIssuer(server, { stateDir: join(dir, 'issuer'), audience: 'https://localhost/v1' });
});
afterAll(() => server.close());

function tokenStatus(): Promise<number> {
  const { clientId, clientSecret, scope } = issuer.clients.clinical;
  return new Promise((resolve, reject) => {
    request(issuer.tokenEndpoint, {
      method: 'POST', ca: tls.caPem, agent: false,
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    }, (response) => response.resume().on('end', () => resolve(response.statusCode ?? 0))).on('error', reject)
      .end(new URLSearchParams({ grant_type: 'client_credentials', scope }).toString());
  });
}

it('leaves no promise hook on in the process once the issuer has answered, and keeps answering', async () => {
  expect(await promiseHooksOn()).toBe(false);
  expect(await tokenStatus()).toBe(200);
  await sleep(50); // the server sees its response closed just after the client has read it
  expect(await promiseHooksOn()).toBe(false);
  expect(await Promise.all([tokenStatus(), tokenStatus()])).toEqual([200, 200]);
  await sleep(50);
  expect(await promiseHooksOn()).toBe(false);
});
