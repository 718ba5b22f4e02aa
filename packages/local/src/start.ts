/**
 * `npm start`: the whole API on this machine over HTTPS. Flags: `--data DIR` persists DynamoDB Local
 * tables in DIR (in memory otherwise); `--mtls` makes the gateway take only connections with a
 * client certificate of the local CA and the stage demand certificate-bound tokens; `--dpop`
 * makes the stage demand DPoP-bound tokens. Env: GATEWAY_PORT (8443), ISSUER_PORT (8444).
 * Stops gracefully on Ctrl-C / SIGTERM: no new connections, requests in flight are answered,
 * DynamoDB Local closes its store; a second Ctrl-C exits at once.
 */
import { parseArgs } from 'node:util';
import { banner } from './banner.js';
import { startLocalStack } from './stack.js';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a port number`);
  return value;
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
