/**
 * TLS of the local gateway and issuer, scanned from outside with sslscan (the Debian package,
 * installed here when missing; node's `tls` client is the fallback where it cannot be). Both
 * servers must refuse SSL, TLS 1.0 and 1.1, offer TLS 1.2 and 1.3, and accept only
 * forward-secret AEAD cipher suites.
 */
import type { LocalStack } from '@health-api/local';
import { startLocalStack } from '@health-api/local';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Strong suites: TLS 1.3's (all AEAD) and ECDHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2. */
const STRONG_CIPHER = /^(TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)|ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305))$/;

function installed(): boolean {
  try {
    execFileSync('sslscan', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** sslscan, installed with apt-get when missing (root only); false when it cannot be had. */
function ensureSslscan(): boolean {
  if (installed()) return true;
  const apt = (...args: string[]) => { try { execFileSync('apt-get', args, { stdio: 'ignore', timeout: 240_000 }); } catch { /* reported by installed() */ } };
  apt('install', '-y', 'sslscan');
  if (!installed()) {
    apt('update');
    apt('install', '-y', 'sslscan');
  }
  return installed();
}

interface Scan { protocols: Record<string, boolean>; ciphers: Array<{ version: string; name: string; bits: number }> }

/** The attributes of each `<tag …/>` element of sslscan's XML. */
function elements(xml: string, tag: string): Array<Record<string, string>> {
  return [...xml.matchAll(new RegExp(`<${tag}\\s([^>]*?)/?>`, 'g'))].map((m) => Object.fromEntries([...(m[1] as string).matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));
}

/** Scans a server of this process: asynchronously, so the event loop keeps serving it. */
async function sslscan(port: number): Promise<Scan> {
  const { stdout: xml } = await promisify(execFile)('sslscan', ['--no-colour', '--xml=-', '--sni-name=localhost', '--no-heartbleed', '--no-groups', '--no-check-certificate', `127.0.0.1:${port}`], { encoding: 'utf8', timeout: 60_000 });
  return {
    protocols: Object.fromEntries(elements(xml, 'protocol').map((p) => [`${p.type}${p.version}`, p.enabled === '1'])),
    ciphers: elements(xml, 'cipher').filter((c) => c.status === 'accepted' || c.status === 'preferred')
      .map((c) => ({ version: c.sslversion ?? '', name: c.cipher ?? '', bits: Number(c.bits) })),
  };
}

let stack: LocalStack;
const hasSslscan = ensureSslscan();
const scans = new Map<string, Promise<Scan>>();
/** One scan per server, shared by its tests. */
const scanOf = (url: string) => { const port = Number(new URL(url).port); if (!scans.has(url)) scans.set(url, sslscan(port)); return scans.get(url) as Promise<Scan>; };
beforeAll(async () => {
  stack = await startLocalStack({ gatewayPort: 0, issuerPort: 0, stateDir: mkdtempSync(join(tmpdir(), 'security-tls-')), log: () => undefined });
});
afterAll(() => stack?.close());

const servers = [['gateway', () => stack.baseUrl], ['issuer', () => stack.issuer]] as const;
const portOf = (url: string) => Number(new URL(url).port);

describe.runIf(hasSslscan)('TLS scanned with sslscan', () => {
  it.each(servers)('%s: refuses SSLv2, SSLv3, TLS 1.0 and 1.1; offers TLS 1.2 and 1.3', async (_name, url) => {
    const { protocols } = await scanOf(url());
    expect(protocols).toEqual({ ssl2: false, ssl3: false, 'tls1.0': false, 'tls1.1': false, 'tls1.2': true, 'tls1.3': true });
  });

  it.each(servers)('%s: accepts only forward-secret AEAD suites of at least 128 bits', async (_name, url) => {
    const { ciphers } = await scanOf(url());
    expect(ciphers.length).toBeGreaterThan(0);
    for (const cipher of ciphers) {
      expect(cipher.name, JSON.stringify(cipher)).toMatch(STRONG_CIPHER);
      expect(cipher.bits, JSON.stringify(cipher)).toBeGreaterThanOrEqual(128);
      expect(['TLSv1.2', 'TLSv1.3'], JSON.stringify(cipher)).toContain(cipher.version);
    }
  });
});

describe.skipIf(hasSslscan)('TLS checked with node\'s tls client (sslscan cannot be installed here)', () => {
  const handshake = (port: number, options: ConnectionOptions) => new Promise<string>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: stack.caPem, ...options }, () => {
      resolve(`${socket.getProtocol()} ${socket.getCipher().name}`);
      socket.end();
    });
    socket.on('error', reject);
  });
  // The client allows what the server must refuse, so only the server can be refusing it.
  const weak = ['AES128-SHA', 'AES256-GCM-SHA384', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384', 'DES-CBC3-SHA', 'NULL-SHA256'];

  it.each(servers)('%s: refuses TLS 1.0 and 1.1, and weak TLS 1.2 suites', async (_name, url) => {
    for (const version of ['TLSv1', 'TLSv1.1'] as const) {
      await expect(handshake(portOf(url()), { minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' })).rejects.toThrow();
    }
    for (const cipher of weak) {
      await expect(handshake(portOf(url()), { maxVersion: 'TLSv1.2', ciphers: `${cipher}@SECLEVEL=0` }), cipher).rejects.toThrow();
    }
    await expect(handshake(portOf(url()), { maxVersion: 'TLSv1.2' })).resolves.toMatch(/^TLSv1\.2 ECDHE-/);
  });
});
