/**
 * `npm start`: the whole API on this machine over HTTPS. Flags: `--data DIR` persists dynalite
 * tables in DIR (in memory otherwise); `--mtls` makes the gateway take only connections with a
 * client certificate of the local CA and the stage demand certificate-bound tokens; `--dpop`
 * makes the stage demand DPoP-bound tokens. Env: GATEWAY_PORT (8443), ISSUER_PORT (8444).
 * Stops gracefully on Ctrl-C / SIGTERM: no new connections, requests in flight are answered,
 * dynalite closes its store; a second Ctrl-C exits at once.
 */
import { parseArgs } from 'node:util';
import { DASHBOARD_PATH } from './dashboard/dashboard-page.js';
import { displayPath } from './dev-contract.js';
import type { LocalStack } from './stack.js';
import { senderConstraintSnippets } from './start-snippets.js';
import { startLocalStack } from './stack.js';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a port number`);
  return value;
}

/** What a newcomer needs to make a first call, with commands that work as printed. */
function banner(stack: LocalStack, mtls: boolean): string {
  const ca = displayPath(stack.caCertFile);
  const clinical = stack.clients.clinical;
  const clients = Object.entries(stack.clients).map(([name, c]) =>
    `    ${name.padEnd(9)} client_id=${c.clientId}  client_secret=${c.clientSecret}  scope="${c.scope}"`);
  const app = stack.smartApp;
  return [
    '',
    'Local health API is running (Ctrl-C stops it).',
    `  API        ${stack.baseUrl}`,
    `  Issuer     ${stack.issuer}   token endpoint ${stack.tokenEndpoint}`,
    `  Audience   ${stack.audience}`,
    `  CA         ${ca}   (trust it with --cacert or NODE_EXTRA_CA_CERTS)`,
    `  Contract   ${displayPath(stack.devJsonFile)}`,
    `  Dashboard  ${new URL(stack.baseUrl).origin}${DASHBOARD_PATH}   (the functions' metrics, live; local only)`,
    '  API keys (header x-api-key)',
    ...Object.entries(stack.apiKeys).map(([name, value]) => `    ${name.padEnd(9)} ${value}`),
    '  System clients (client_credentials, HTTP Basic auth)',
    ...clients,
    `  Backend service (SMART Backend Services: client_credentials with a private_key_jwt ${stack.backendService.alg} assertion)`,
    `    client_id=${stack.backendService.clientId}  key=${displayPath(stack.backendService.keyFile)}  scope="${stack.backendService.scope}"`,
    `  SMART app  client_id=${app.clientId} (public, authorization code + PKCE S256) redirect_uri=${app.redirectUri}`,
    `             scopes: ${app.oidcScopes} ${app.smartScopes}`,
    `             development login: any user name that is a Patient id (it becomes the patient claim), any password`,
    '',
    'Try it:',
    `  curl --cacert ${ca} ${stack.baseUrl}/metadata`,
    `  TOKEN=$(curl -s --cacert ${ca} -u ${clinical.clientId}:${clinical.clientSecret} -d grant_type=client_credentials \\`,
    `    --data-urlencode "scope=${clinical.scope}" ${stack.tokenEndpoint} | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
    `  curl --cacert ${ca} -H "x-api-key: ${stack.apiKeys.standard}" -H "Authorization: Bearer $TOKEN" ${stack.baseUrl}/Patient/example`,
    ...senderConstraintSnippets(stack, { mtls }),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string' }, mtls: { type: 'boolean' }, dpop: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log('Usage: npm start [-- --data DIR] [--mtls] [--dpop]   env: GATEWAY_PORT (8443), ISSUER_PORT (8444)');
    return;
  }
  const started = performance.now();
  const stack = await startLocalStack({
    gatewayPort: port('GATEWAY_PORT', 8443),
    issuerPort: port('ISSUER_PORT', 8444),
    ...(values.data ? { dataDir: values.data } : {}),
    ...(values.mtls ? { mtls: true, senderConstraint: 'mtls' as const } : {}),
    ...(values.dpop ? { senderConstraint: 'dpop' as const } : {}),
  });
  console.log(banner(stack, Boolean(values.mtls)));
  console.log(`Started in ${Math.round(performance.now() - started)} ms. Access log (one JSON line per request):`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second Ctrl-C does not wait
    stopping = true;
    console.log(`\n${signal}: stopping (answering requests in flight; Ctrl-C again to exit at once)`);
    stack.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: NodeJS.ErrnoException) => {
  console.error(error.code === 'EADDRINUSE'
    ? 'A port is already in use: stop the other process or set GATEWAY_PORT / ISSUER_PORT.'
    : `Could not start the local stack: ${error.message}`);
  process.exit(1);
});
