import { generate } from 'selfsigned';

export interface TestTls {
  caPem: string;
  key: string;
  cert: string;
}

let cached: Promise<TestTls> | undefined;

/** A throwaway CA and a localhost server certificate signed by it (EC P-256, SHA-256). */
export function testTls(): Promise<TestTls> {
  cached ??= (async () => {
    const ca = await generate([{ name: 'commonName', value: 'Test CA' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    });
    const server = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
      ],
    });
    return { caPem: ca.cert, key: server.private, cert: server.cert };
  })();
  return cached;
}
