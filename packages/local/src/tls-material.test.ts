import { X509Certificate } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadOrCreateClientCert, loadOrCreateTls } from './tls-material.js';

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

it('makes client certificates of the same CA for mutual TLS, one per name, owner-only and reused', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'tls-')), 'tls');
  const ca = new X509Certificate((await loadOrCreateTls(dir)).caPem);
  const client = await loadOrCreateClientCert(dir, 'service');
  const other = await loadOrCreateClientCert(dir, 'other');
  const cert = new X509Certificate(client.cert);
  expect(cert.checkIssued(ca) && cert.verify(ca.publicKey)).toBe(true);
  expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.2'); // clientAuth
  expect(cert.fingerprint256).not.toBe(new X509Certificate(other.cert).fingerprint256);
  expect(statSync(client.keyFile).mode & 0o777).toBe(0o600);
  expect(await loadOrCreateClientCert(dir, 'service')).toEqual(client);
});
