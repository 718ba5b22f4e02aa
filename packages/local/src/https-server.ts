import { createServer } from 'node:https';
import type { Server, ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TlsMaterial } from './tls-material.js';
import { STRONG_TLS } from './tls-policy.js';

export interface ListeningServer {
  server: Server;
  port: number;
  /** `https://localhost:<port>`: the name the certificate is issued for. */
  origin: string;
  close: () => Promise<void>;
}

/**
 * Starts an HTTPS server on loopback with the strong TLS policy and no request handler yet:
 * the issuer and the gateway need their final URL (port 0 picks one) before they can be built.
 */
export async function listenHttps(tls: TlsMaterial, port: number, options: ServerOptions = {}): Promise<ListeningServer> {
  const server = createServer({ ...STRONG_TLS, ...options, key: tls.key, cert: tls.cert });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    origin: `https://localhost:${actual}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
