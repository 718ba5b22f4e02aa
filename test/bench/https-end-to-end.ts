import autocannon from 'autocannon';
import type { LocalStack } from '@health-api/local';
import { listenHttps, startLocalStack } from '@health-api/local';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nullLogSink } from './log-sink.js';
import type { BenchSizes } from './sizes.js';
import { round } from './stats.js';

export interface ServerFigures {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  statusCounts: Record<string, number>;
  errors: number;
}

export interface PathResult { path: string; gateway: ServerFigures; bare: ServerFigures; throughputRatio: number; p99Ratio: number }

export interface HttpsResult { connections: number; seconds: number; paths: PathResult[] }

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

async function load(url: string, sizes: BenchSizes, headers: Record<string, string>): Promise<ServerFigures> {
  const result = await autocannon({ url, connections: sizes.httpsConnections, duration: sizes.httpsSeconds, headers, servername: 'localhost', workers: 1 });
  return {
    requestsPerSecond: round(result.requests.average, 1),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    statusCounts: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count])),
    errors: result.errors + result.timeouts,
  };
}

/**
 * The local gateway serving `GET /v1/metadata` and a Patient read, each against a bare node
 * https server that answers the same bytes with the same certificate, TLS policy and
 * keep-alive. autocannon runs in a worker thread at fixed connections and duration.
 */
export async function httpsBench(sizes: BenchSizes): Promise<HttpsResult> {
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-stack-'));
  const sink = nullLogSink();
  // The gateway's access log still builds and serialises every line; it goes nowhere.
  const stack = await startLocalStack({ gatewayPort: 0, issuerPort: 0, stateDir, gateway: BENCH_GATEWAY, log: () => undefined });
  try {
    const ca = stack.caPem;
    const token = await clientCredentialsToken(stack, ca);
    const origin = new URL(stack.baseUrl);
    origin.hostname = '127.0.0.1';
    const headers = { authorization: `Bearer ${token}`, 'x-api-key': stack.apiKeys.standard ?? '', accept: 'application/fhir+json' };
    const id = await createPatient(`${origin.href}/Patient`, headers, ca);
    if (!id) throw new Error('could not create the Patient to read');
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
        const gateway = await load(gatewayUrl, sizes, headers);
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
    return { connections: sizes.httpsConnections, seconds: sizes.httpsSeconds, paths };
  } finally {
    await stack.close();
    sink.restore();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
