import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { readIfExists, writeSecretFile } from './state-files.js';

/** The local certificate authority and the localhost server certificate it signed. */
export interface TlsMaterial {
  caPem: string;
  caFile: string;
  key: string;
  cert: string;
}

type SelfsignedOptions = NonNullable<Parameters<typeof generate>[1]>;
type GenerateResult = Awaited<ReturnType<typeof generate>>;

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_YEARS = 5;

function yearsFromNow(years: number): Date {
  const date = new Date();
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date;
}

/** Valid for at least another day (a certificate about to expire is renewed on start). */
function stillValid(pem: string | undefined): pem is string {
  return pem !== undefined && Date.parse(new X509Certificate(pem).validTo) - Date.now() > DAY_MS;
}

// selfsigned defaults to RSA and SHA-1: always name the key type and the signature algorithm.
const EC_SHA256: SelfsignedOptions = { keyType: 'ec', algorithm: 'sha256' };

function createCa(): Promise<GenerateResult> {
  return generate([{ name: 'commonName', value: 'Health API Local Development CA' }], {
    ...EC_SHA256,
    notAfterDate: yearsFromNow(CA_YEARS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
}

function createServerCert(ca: { key: string; cert: string }): Promise<GenerateResult> {
  return generate([{ name: 'commonName', value: 'localhost' }], {
    ...EC_SHA256,
    notAfterDate: yearsFromNow(1),
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
}

/**
 * Loads the CA and server certificate from `dir`, generating them on first start (and renewing
 * whichever expires within a day). Private keys are written 0600.
 */
export async function loadOrCreateTls(dir: string): Promise<TlsMaterial> {
  const files = {
    caCert: join(dir, 'ca.pem'), caKey: join(dir, 'ca.key'),
    cert: join(dir, 'server.pem'), key: join(dir, 'server.key'),
  };
  let [caPem, caKey, cert, key] = await Promise.all(
    [files.caCert, files.caKey, files.cert, files.key].map(readIfExists),
  );
  if (!stillValid(caPem) || caKey === undefined) {
    const ca = await createCa();
    [caPem, caKey, cert] = [ca.cert, ca.private, undefined];
    await writeSecretFile(files.caKey, caKey);
    await writeSecretFile(files.caCert, caPem);
  }
  if (!stillValid(cert) || key === undefined) {
    const server = await createServerCert({ key: caKey, cert: caPem });
    [cert, key] = [server.cert, server.private];
    await writeSecretFile(files.key, key);
    await writeSecretFile(files.cert, cert);
  }
  return { caPem, caFile: files.caCert, key, cert };
}

/** A client certificate of the local CA, for mutual TLS (`npm start -- --mtls`). */
export interface ClientCertificate {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

/** The subject common name of the local client certificate `name`. */
export const clientCertificateName = (name: string): string => `Health API local client ${name}`;

function createClientCert(ca: { key: string; cert: string }, commonName: string): Promise<GenerateResult> {
  return generate([{ name: 'commonName', value: commonName }], {
    ...EC_SHA256,
    notAfterDate: yearsFromNow(1),
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
}

/**
 * Loads (or makes, signed by the local CA in `dir`) the client certificate `client-<name>.pem`
 * and its key: what a caller presents to a gateway that asks for certificates, and what the
 * local issuer binds its certificate-bound tokens to. Call after `loadOrCreateTls(dir)`.
 */
export async function loadOrCreateClientCert(dir: string, name: string): Promise<ClientCertificate> {
  const certFile = join(dir, `client-${name}.pem`);
  const keyFile = join(dir, `client-${name}.key`);
  let [cert, key] = await Promise.all([certFile, keyFile].map(readIfExists));
  if (!stillValid(cert) || key === undefined) {
    const [caPem, caKey] = await Promise.all([join(dir, 'ca.pem'), join(dir, 'ca.key')].map(readIfExists));
    if (caPem === undefined || caKey === undefined) throw new Error('the local CA is missing: load it with loadOrCreateTls first');
    const client = await createClientCert({ key: caKey, cert: caPem }, clientCertificateName(name));
    [cert, key] = [client.cert, client.private];
    await writeSecretFile(keyFile, key);
    await writeSecretFile(certFile, cert);
  }
  return { cert, key, certFile, keyFile };
}
