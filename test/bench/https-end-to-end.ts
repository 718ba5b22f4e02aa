import type { EncryptedDataKey, NodeDecryptionMaterial, NodeEncryptionMaterial } from '@aws-crypto/material-management-node';
import { KeyringNode } from '@aws-crypto/material-management-node';
import type { LocalStack } from '@health-api/local';
import { listenHttps, startLocalStack } from '@health-api/local';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataKeys } from '../../packages/core/src/crypto/data-keys.js';
import { runNode } from './child.js';
import { warmEmulator } from './emulator-warmup.js';
import type { DynamoProcess } from './dynamo-process.js';
import { startDynamoProcess } from './dynamo-process.js';
import { nullLogSink } from './log-sink.js';
import type { BenchSizes } from './sizes.js';
import { round } from './stats.js';

export interface ServerFigures {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  statusCounts: Record<string, number>;
  errors: number;
  /** CPU of the server's process per request answered (the gateway's: gateway, handlers, idle issuer), µs. */
  cpuUsPerRequest: number;
  /** CPU of the DynamoDB emulator's own process per request answered, µs (0 for the bare server). */
  emulatorCpuUsPerRequest: number;
  /** CPU of the bench's counting front to the emulator per request answered, µs: a hop the deployed API does not have. */
  frontCpuUsPerRequest: number;
  /** TCP connections the handlers opened to DynamoDB during the run (keep-alive: none once warm). */
  dynamoConnections: number;
}

export interface PathResult { path: string; gateway: ServerFigures; bare: ServerFigures; throughputRatio: number; p99Ratio: number }

/** What one request of a kind costs downstream, averaged over `requests` sequential requests. */
export interface RequestWork {
  kind: 'read' | 'create' | 'update' | 'search';
  route: string;
  requests: number;
  statuses: Record<string, number>;
  /** DynamoDB calls per request, by `Operation Table`. */
  dynamoCalls: Record<string, number>;
  dynamoRequestBytes: number;
  dynamoResponseBytes: number;
  /** Calls to the key that wraps data keys (KMS in AWS; the local AES keyring here), per request. */
  keyCalls: { generateDataKey: number; decrypt: number };
  /** TCP connections opened to DynamoDB over all `requests` (keep-alive: none once warm). */
  dynamoConnections: number;
}

export interface HttpsResult { connections: number; seconds: number; warmupSeconds: number; paths: PathResult[]; work: RequestWork[] }

/** Limits far above what one machine can send: the bench measures the gateway's work, not its 429s. */
const UNTHROTTLED = { rateLimit: 1_000_000, burstLimit: 1_000_000 };
const BENCH_GATEWAY = {
  usagePlans: { standard: { throttle: UNTHROTTLED, quota: { limit: 100_000_000, period: 'DAY' as const } } },
  stageThrottle: UNTHROTTLED,
  waf: { ratePerIp: 100_000_000 },
};

interface Answer { status: number; headers: IncomingHttpHeaders; body: Buffer }

function send(url: string, options: { method?: string; headers: Record<string, string>; ca: string; body?: string }): Promise<Answer> {
  return new Promise((done, fail) => {
    request(url, { method: options.method ?? 'GET', headers: options.headers, ca: options.ca, servername: 'localhost' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', fail).end(options.body);
  });
}

const get = (url: string, headers: Record<string, string>, ca: string) => send(url, { headers, ca });

/** A Patient to read, created through the gateway; its id, or undefined when creation fails. */
async function createPatient(url: string, headers: Record<string, string>, ca: string): Promise<string | undefined> {
  const body = JSON.stringify({ resourceType: 'Patient', active: true, gender: 'unknown', birthDate: '1970-01-01' });
  const answer = await send(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/fhir+json', 'idempotency-key': randomUUID() }, ca, body });
  if (answer.status !== 201) return undefined;
  return (JSON.parse(answer.body.toString('utf8')) as { id?: string }).id;
}

async function clientCredentialsToken(stack: LocalStack, ca: string): Promise<string> {
  const client = stack.clients.clinical;
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope: client.scope }).toString();
  const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64');
  const answer = await send(stack.tokenEndpoint, { method: 'POST', ca, body, headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' } });
  const token = (JSON.parse(answer.body.toString('utf8')) as { access_token?: string }).access_token;
  if (!token) throw new Error(`no token from the local issuer (status ${answer.status})`);
  return token;
}

const AUTOCANNON = fileURLToPath(new URL('./autocannon-child.ts', import.meta.url));

interface LoadResult { requests: number; requestsPerSecond: number; latencyP50Ms: number; latencyP99Ms: number; statusCodeStats: Record<string, { count: number }>; errors: number }

/**
 * autocannon in its own process; this process's CPU (the server's), the emulator's and the
 * front's are read around it. The same load runs first, unmeasured, on either server: V8 compiles the hot code
 * (gateway, chain, handler) in the first seconds, a one-time cost the cold-start section owns.
 */
async function load(url: string, sizes: BenchSizes, headers: Record<string, string>, dynamo?: DynamoProcess): Promise<ServerFigures> {
  const options = { url, connections: sizes.httpsConnections, duration: sizes.httpsSeconds, headers, servername: 'localhost' };
  if (sizes.httpsWarmupSeconds > 0) {
    const warmup = { ...options, duration: sizes.httpsWarmupSeconds };
    await runNode(['--import', 'tsx', AUTOCANNON, JSON.stringify(warmup)], { env: process.env, timeoutMs: (sizes.httpsWarmupSeconds + 30) * 1000 });
  }
  await dynamo?.reset();
  const cpu = process.cpuUsage();
  const run = await runNode(['--import', 'tsx', AUTOCANNON, JSON.stringify(options)], { env: process.env, timeoutMs: (sizes.httpsSeconds + 30) * 1000 });
  const used = process.cpuUsage(cpu);
  const emulator = await dynamo?.stats();
  const result = JSON.parse(run.result) as LoadResult;
  const answered = Math.max(1, result.requests);
  return {
    requestsPerSecond: round(result.requestsPerSecond, 1),
    latencyP50Ms: result.latencyP50Ms,
    latencyP99Ms: result.latencyP99Ms,
    statusCounts: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
    errors: result.errors,
    cpuUsPerRequest: round((used.user + used.system) / answered, 1),
    emulatorCpuUsPerRequest: round((emulator?.cpuUs ?? 0) / answered, 1),
    frontCpuUsPerRequest: round((emulator?.frontCpuUs ?? 0) / answered, 1),
    dynamoConnections: emulator?.connections ?? 0,
  };
}

/**
 * Counts the wrapping key's calls: a data key generated (GenerateDataKey in AWS) or unwrapped
 * (Decrypt). The Encryption SDK freezes its keyrings, so the container's data keys get a
 * counting keyring in front of theirs, before the first record is sealed or opened.
 */
function countKeyCalls() {
  const counts = { generateDataKey: 0, decrypt: 0 };
  const keys = dataKeys();
  const theirs = keys.keyring;
  keys.keyring = async () => {
    const inner = await theirs();
    class CountingKeyring extends KeyringNode {
      override _onEncrypt = (material: NodeEncryptionMaterial) => { counts.generateDataKey += 1; return inner.onEncrypt(material); };
      override _onDecrypt = (material: NodeDecryptionMaterial, encrypted: EncryptedDataKey[]) => { counts.decrypt += 1; return inner.onDecrypt(material, encrypted); };
    }
    return new CountingKeyring();
  };
  return { take: () => { const taken = { ...counts }; counts.generateDataKey = 0; counts.decrypt = 0; return taken; } };
}

/** Per-request averages of `requests` sequential calls of one kind, with every DynamoDB and key call they made. */
async function measureWork(
  kind: RequestWork['kind'], route: string, requests: number, dynamo: DynamoProcess, keys: { take: () => RequestWork['keyCalls'] }, call: (i: number) => Promise<Answer>,
): Promise<RequestWork> {
  await call(-1); // a warm handler: its first request's lazy loading is the cold-start section's
  await dynamo.reset();
  keys.take();
  const statuses: Record<string, number> = {};
  for (let i = 0; i < requests; i += 1) {
    const { status } = await call(i);
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
  // Seals and other work the audit trail does beside the request land within a moment.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const stats = await dynamo.stats();
  const key = keys.take();
  const per = (n: number) => round(n / requests, 2);
  return {
    kind, route, requests, statuses,
    dynamoCalls: Object.fromEntries(Object.entries(stats.calls).sort().map(([name, n]) => [name, per(n)])),
    dynamoRequestBytes: Math.round(stats.requestBytes / requests),
    dynamoResponseBytes: Math.round(stats.responseBytes / requests),
    keyCalls: { generateDataKey: per(key.generateDataKey), decrypt: per(key.decrypt) },
    dynamoConnections: stats.connections,
  };
}

/**
 * The local gateway serving `GET /v1/metadata` and a Patient read, each against a bare node
 * https server that answers the same bytes with the same certificate, TLS policy and
 * keep-alive. autocannon runs in a process of its own at fixed connections and duration, and
 * the DynamoDB emulator is a JVM (reached through a counting front in another process), so
 * this process's CPU is the gateway's. First, what one read, create, update and search costs downstream.
 */
export async function httpsBench(sizes: BenchSizes): Promise<HttpsResult> {
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-stack-'));
  const sink = nullLogSink();
  // The gateway's access log still builds and serialises every line; it goes nowhere.
  let front: DynamoProcess | undefined;
  const stack = await startLocalStack({
    gatewayPort: 0, issuerPort: 0, stateDir, gateway: BENCH_GATEWAY, log: () => undefined,
    // The handlers reach the stack's emulator through the counting front.
    interposeDynamo: async (endpoint) => {
      front = await startDynamoProcess(endpoint);
      return { endpoint: front.endpoint, close: front.close };
    },
  });
  const dynamo = front as DynamoProcess;
  try {
    const ca = stack.caPem;
    const token = await clientCredentialsToken(stack, ca);
    const origin = new URL(stack.baseUrl);
    origin.hostname = '127.0.0.1';
    const headers = { authorization: `Bearer ${token}`, 'x-api-key': stack.apiKeys.standard ?? '', accept: 'application/fhir+json' };
    const keys = countKeyCalls();
    const id = await createPatient(`${origin.href}/Patient`, headers, ca);
    if (!id) throw new Error('could not create the Patient to read');
    const work = await requestWork(origin, headers, ca, id, dynamo, keys);
    // The load runs need the front's CPU and connections, not its counts.
    await dynamo.serve('pipe');
    await warmEmulator(stack.dynamoEndpoint, stack.dynamoCredentials, { pk: `Patient/${id}`, sk: 'resource' }, sizes.emulatorWarmupPairs);
    const paths: PathResult[] = [];
    // A public read with no I/O (the gateway and the chain alone), then an audited, encrypted read.
    for (const path of ['/v1/metadata', `/v1/Patient/${id}`]) {
      const gatewayUrl = `${origin.origin}${path}`;
      const sample = await get(gatewayUrl, headers, ca);
      // Same certificate, TLS policy and keep-alive as the gateway: the stack's own parts.
      const bare = await listenHttps(stack.parts.tls, 0);
      const sameHeaders = Object.fromEntries(Object.entries(sample.headers).filter(([name]) => !['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name)));
      bare.server.on('request', (_req, res) => { res.writeHead(sample.status, sameHeaders).end(sample.body); });
      try {
        const gateway = await load(gatewayUrl, sizes, headers, dynamo);
        const baseline = await load(`https://127.0.0.1:${bare.port}${path}`, sizes, headers);
        paths.push({
          path: `GET ${path.replace(id, '{id}')} (${sample.status}, ${sample.body.length} bytes)`,
          gateway,
          bare: baseline,
          throughputRatio: round(gateway.requestsPerSecond / baseline.requestsPerSecond),
          p99Ratio: round(gateway.latencyP99Ms / Math.max(baseline.latencyP99Ms, 1)),
        });
      } finally {
        await bare.close();
      }
    }
    return { connections: sizes.httpsConnections, seconds: sizes.httpsSeconds, warmupSeconds: sizes.httpsWarmupSeconds, paths, work };
  } finally {
    await stack.close();
    sink.restore();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Sequential requests of each kind through the gateway, counted downstream. */
async function requestWork(origin: URL, headers: Record<string, string>, ca: string, id: string, dynamo: DynamoProcess, keys: ReturnType<typeof countKeyCalls>): Promise<RequestWork[]> {
  const url = (path: string) => `${origin.origin}${path}`;
  const json = { ...headers, 'content-type': 'application/fhir+json' };
  const patient = { resourceType: 'Patient', active: true, gender: 'unknown', birthDate: '1970-01-01' };
  const requests = 10;
  let version = 1;
  return [
    await measureWork('read', 'GET /v1/Patient/{id}', requests, dynamo, keys, () => get(url(`/v1/Patient/${id}`), headers, ca)),
    await measureWork('create', 'POST /v1/Patient (Idempotency-Key)', requests, dynamo, keys, () => send(url('/v1/Patient'), {
      method: 'POST', headers: { ...json, 'idempotency-key': randomUUID() }, ca, body: JSON.stringify(patient),
    })),
    await measureWork('update', 'PUT /v1/Patient/{id} (If-Match)', requests, dynamo, keys, async () => {
      const answer = await send(url(`/v1/Patient/${id}`), {
        method: 'PUT', headers: { ...json, 'if-match': `W/"${version}"` }, ca, body: JSON.stringify({ ...patient, id }),
      });
      if (answer.status === 200) version += 1;
      return answer;
    }),
    await measureWork('search', 'GET /v1/Patient?identifier=', requests, dynamo, keys, () => get(
      url(`/v1/Patient?identifier=${encodeURIComponent('https://standards.digital.health.nz/ns/nhi-id|ZAC5361')}`), headers, ca,
    )),
  ];
}
