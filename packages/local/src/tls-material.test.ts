import { X509Certificate } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadOrCreateTls } from './tls-material.js';

it('makes an EC CA and a localhost server certificate it signed, keeps the keys owner-only, and reuses them', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'tls-')), 'tls');
  const tls = await loadOrCreateTls(dir);
  const ca = new X509Certificate(tls.caPem);
  const server = new X509Certificate(tls.cert);
  expect(ca.ca).toBe(true);
  expect(server.checkIssued(ca)).toBe(true);
  expect(server.verify(ca.publicKey)).toBe(true);
  expect(server.publicKey.asymmetricKeyType).toBe('ec');
  expect(server.checkHost('localhost')).toBe('localhost');
  expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
  for (const file of ['ca.key', 'server.key']) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
  expect(await loadOrCreateTls(dir)).toEqual(tls);
});
