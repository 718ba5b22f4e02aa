import type { ServerResponse } from 'node:http';
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
 * Slow clients (slowloris) cannot hold connections: all headers must arrive within 10 s and the
 * whole request within 30 s (API Gateway's own integration limit is 29 s), checked every second.
 * Node's defaults are 60 s and 300 s, checked every 30 s. A cut request is answered by the
 * server's `clientError` handler and the connection closed.
 */
export const REQUEST_TIMEOUTS: Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'> = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  connectionsCheckingInterval: 1_000,
};

/** How long a stopping server lets requests in flight finish (API Gateway's integration limit is 29 s). */
export const SHUTDOWN_GRACE_MS = 30_000;

/**
 * Starts an HTTPS server on loopback with the strong TLS policy and no request handler yet:
 * the issuer and the gateway need their final URL (port 0 picks one) before they can be built.
 */
export async function listenHttps(tls: TlsMaterial, port: number, options: ServerOptions = {}): Promise<ListeningServer> {
  const server = createServer({ ...STRONG_TLS, ...REQUEST_TIMEOUTS, ...options, key: tls.key, cert: tls.cert });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const inFlight = new Set<ServerResponse>();
  // One listener for every response (the emitter is `this`), not a new function per request.
  function settled(this: ServerResponse) {
    inFlight.delete(this);
  }
  server.on('request', (_request, response: ServerResponse) => {
    inFlight.add(response);
    response.on('close', settled);
  });
  return {
    server,
    port: actual,
    origin: `https://localhost:${actual}`,
    // Graceful: no new connections; idle ones close now; requests in flight are answered (with
    // `Connection: close`) and their connections closed; whatever is left after the grace is cut.
    close: () => new Promise<void>((resolve) => {
      const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      for (const response of inFlight) if (!response.headersSent) response.shouldKeepAlive = false;
      server.closeIdleConnections();
    }),
  };
}
