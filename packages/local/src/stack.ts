import type { GatewayConfig, SenderConstraint } from '@health-api/core';
import { API_BASE_PATH } from '@health-api/core';
import { closeAuditTrail } from '@health-api/core/audit';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LogSink } from './access-log.js';
import type { ApiKeySpec, ApiKeyStore } from './api-keys.js';
import { DEFAULT_API_KEYS, loadOrCreateApiKeys } from './api-keys.js';
import type { DevContract } from './dev-contract.js';
import { displayPath, writeDevContract } from './dev-contract.js';
import { startDynalite } from './dynalite.js';
import type { RouteBinding } from './gateway.js';
import { serveGateway } from './gateway.js';
import type { GatewayConfigOverrides } from './gateway-settings.js';
import { gatewaySettings } from './gateway-settings.js';
import type { ListeningServer } from './https-server.js';
import { listenHttps } from './https-server.js';
import type { BackendServiceCredentials, CertificateBoundCredentials, SmartApp, SystemClientCredentials, SystemClientName } from './issuer-clients.js';
import { CERTIFICATE_BOUND_SERVICE } from './issuer-clients.js';
import { startIssuer } from './issuer.js';
import { configureHandlerEnvironment, loadRouteHandlers } from './route-handlers.js';
import type { TlsMaterial } from './tls-material.js';
import { loadOrCreateClientCert, loadOrCreateTls } from './tls-material.js';

export interface LocalStackOptions {
  /** Gateway port; default 8443, 0 picks a free one. */
  gatewayPort?: number;
  /** Issuer port; default 8444, 0 picks a free one. */
  issuerPort?: number;
  /** Where keys, certificates, secrets and `dev.json` live; default `.local`. */
  stateDir?: string;
  /** Directory dynalite persists tables to; in memory when absent. */
  dataDir?: string;
  /** Changes to the shared gateway config (tiny throttles and quotas in tests). */
  gateway?: GatewayConfigOverrides;
  /** API keys to have; default one per usage plan, named `standard` and `partner`. */
  apiKeys?: readonly ApiKeySpec[];
  /** Access-log sink; stdout by default. */
  log?: LogSink;
  /**
   * Fault injection: something (a proxy) the handlers reach dynalite through. It is given
   * dynalite's endpoint, answers the one the handlers use, and is closed after the gateway.
   */
  interposeDynamo?: (endpoint: string) => Promise<{ endpoint: string; close: () => Promise<void> }>;
  /**
   * Mutual TLS, as on an API Gateway custom domain with a truststore: the gateway takes only
   * connections with a client certificate of the local CA (and passes it to the handlers as
   * `requestContext.identity.clientCert`); the issuer asks for one too, to bind tokens to it.
   */
  mtls?: boolean;
  /** The stage's `AUTH_SENDER_CONSTRAINT` for the handlers; default `none` (plain bearer). */
  senderConstraint?: SenderConstraint;
}

export interface LocalStack {
  /** The contract written to `<stateDir>/dev.json`. */
  contract: DevContract;
  baseUrl: string;
  issuer: string;
  tokenEndpoint: string;
  audience: string;
  /** PEM of the local CA that signed both servers' certificates: trust it, nothing else. */
  caPem: string;
  caCertFile: string;
  /** API key values by name (`standard`, `partner`, and any asked for). */
  apiKeys: Record<string, string>;
  clients: Record<SystemClientName, SystemClientCredentials>;
  /** The SMART Backend Services client (private_key_jwt). */
  backendService: BackendServiceCredentials;
  /** The client with a certificate of the local CA, whose tokens are bound to it (with `mtls`). */
  certificateBoundService: CertificateBoundCredentials;
  smartApp: SmartApp;
  devJsonFile: string;
  dynamoEndpoint: string;
  /** The parts, for suites that start another gateway in front of the same handlers (or stop the issuer). */
  parts: { tls: TlsMaterial; apiKeyStore: ApiKeyStore; routes: RouteBinding[]; gatewayConfig: GatewayConfig; issuerServer: ListeningServer };
  /**
   * Stops gracefully: the gateway first (no new connections; requests in flight are answered,
   * up to the integration timeout), then seals the audit chains, then the rest; dynalite closes
   * its store, so `dataDir` keeps it all.
   */
  close: () => Promise<void>;
}

/**
 * Starts the whole API on this machine: dynalite with the tables, the OAuth issuer and the
 * gateway (both HTTPS with a local CA), the real handlers behind the gateway, and writes
 * `<stateDir>/dev.json`. Secrets are generated on first start and reused after.
 *
 * The handlers read their configuration from `process.env` once per process, so a process
 * hosts one stack; more gateways (other limits) can front it with `serveGateway` and `parts`.
 *
 * @example
 * const stack = await startLocalStack({ gatewayPort: 0, issuerPort: 0, stateDir: mkdtempSync(join(tmpdir(), 'stack-')),
 *   gateway: { usagePlans: { standard: { quota: { limit: 3, period: 'DAY' } } } } });
 * // fetch `${stack.baseUrl}/metadata` with an undici Agent trusting `stack.caPem`; tokens from
 * // `stack.tokenEndpoint` with `stack.clients.clinical`; then `await stack.close()`.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const stateDir = resolve(options.stateDir ?? '.local');
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const opened: Array<{ close: () => Promise<void> }> = [];
  let gateway: ListeningServer | undefined;
  let closing: Promise<void> | undefined;
  // Stops the gateway (letting requests in flight finish), seals the audit chains' heads, then
  // stops the parts in reverse order of start; calling it again waits for the same stop.
  const closeAll = () => (closing ??= (async () => {
    await gateway?.close();
    await closeAuditTrail();
    for (const part of opened.reverse()) await part.close();
  })());
  try {
    const tls = await loadOrCreateTls(join(stateDir, 'tls'));
    const serviceCert = await loadOrCreateClientCert(join(stateDir, 'tls'), CERTIFICATE_BOUND_SERVICE.certificateName);
    // Only the local CA's client certificates count; the gateway refuses a handshake without one.
    const askForCertificates = (required: boolean) => (options.mtls ? { requestCert: true, rejectUnauthorized: required, ca: tls.caPem } : {});
    const [gatewayServer, issuerServer, dynamo] = await Promise.all([
      listenHttps(tls, options.gatewayPort ?? 8443, askForCertificates(true)).then((server) => (gateway = server)),
      listenHttps(tls, options.issuerPort ?? 8444, askForCertificates(false)).then((server) => { opened.push(server); return server; }),
      startDynalite(options.dataDir ? { path: options.dataDir } : {}),
    ]);
    opened.push(dynamo);
    const front = options.interposeDynamo ? await options.interposeDynamo(dynamo.endpoint) : undefined;
    if (front) opened.push(front);
    const baseUrl = `${gatewayServer.origin}${API_BASE_PATH}`;
    const audience = baseUrl; // the API's identifier: tokens are good for this API only
    const issuer = await startIssuer(issuerServer, { stateDir: join(stateDir, 'issuer'), audience });

    configureHandlerEnvironment({
      issuer: issuer.issuer, audience, caFile: tls.caFile, dynamoEndpoint: front?.endpoint ?? dynamo.endpoint,
      dataKeyFile: join(stateDir, 'keys', 'data-keys.json'),
      auditKeyFile: join(stateDir, 'keys', 'audit-key.json'),
      auditAnchorDir: join(stateDir, 'audit-anchors'),
      senderConstraint: options.senderConstraint ?? 'none',
    });
    const [routes, apiKeyStore] = await Promise.all([
      loadRouteHandlers(),
      loadOrCreateApiKeys(join(stateDir, 'gateway', 'api-keys.json'), options.apiKeys ?? DEFAULT_API_KEYS),
    ]);
    const gatewayConfig = gatewaySettings(options.gateway);
    serveGateway(gatewayServer, {
      routes, apiKeys: apiKeyStore, config: gatewayConfig, ...(options.log ? { log: options.log } : {}),
      oauth: { authorizationUrl: `${issuer.issuer}/auth`, tokenUrl: issuer.tokenEndpoint },
    });

    const apiKeys = apiKeyStore.values();
    const certificateBoundService = { clientId: CERTIFICATE_BOUND_SERVICE.clientId, scope: CERTIFICATE_BOUND_SERVICE.scope, certFile: serviceCert.certFile, keyFile: serviceCert.keyFile };
    const contract: DevContract = {
      baseUrl,
      issuer: issuer.issuer,
      tokenEndpoint: issuer.tokenEndpoint,
      audience,
      caCertFile: displayPath(tls.caFile),
      apiKeys: { standard: apiKeys.standard ?? '', partner: apiKeys.partner ?? '' },
      clients: issuer.clients,
      backendService: { clientId: issuer.backendService.clientId, scope: issuer.backendService.scope, keyFile: displayPath(issuer.backendService.keyFile) },
      certificateBoundService: { ...certificateBoundService, certFile: displayPath(serviceCert.certFile), keyFile: displayPath(serviceCert.keyFile) },
    };
    const devJsonFile = join(stateDir, 'dev.json');
    await writeDevContract(devJsonFile, contract);
    return {
      contract, baseUrl, issuer: issuer.issuer, tokenEndpoint: issuer.tokenEndpoint, audience,
      caPem: tls.caPem, caCertFile: tls.caFile, apiKeys, clients: issuer.clients, backendService: issuer.backendService, certificateBoundService, smartApp: issuer.smartApp,
      devJsonFile, dynamoEndpoint: dynamo.endpoint,
      parts: { tls, apiKeyStore, routes, gatewayConfig, issuerServer },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
