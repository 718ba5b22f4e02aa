import type { RouteDefinition } from '@health-api/core';
import { tables } from '@health-api/core';
import { routeList, routes } from '@health-api/functions';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TestIssuer } from '../support/issuer.js';
import { runNode } from './child.js';
import type { RouteBundle } from './deploy-bundle.js';
import { bundleRoute, bundleSource, DEPLOYED_TRACING, importClosure, largestInputs } from './deploy-bundle.js';
import { routeEvent, scopeFor } from './events.js';
import type { BenchSizes } from './sizes.js';
import { median, percentile, round } from './stats.js';

export interface BundleResult {
  name: string;
  /** A route that needs a token reads or writes health data: the bare verified read is its floor. */
  dataRoute: boolean;
  /** The entry chunk; `importBytes` adds the chunks it imports statically (all loaded at import); `totalBytes` every chunk, lazy ones too. */
  bytes: number;
  importBytes: number;
  totalBytes: number;
  /** Packages that put the most bytes into the bundle. */
  largestInputs: Array<{ package: string; bytes: number }>;
  firstStatus: number;
  /** Import of the bundle, then the first request (token verified against a cold JWKS cache). */
  importMs: number;
  firstRequestMs: number;
  importAndFirstRequestMs: { p50: number; p99: number };
  /** The whole fresh process: node start-up, import, first request. */
  processWallMs: { p50: number; p99: number };
  /** Over the hello-world bundle: bytes, import-and-first-request at p50, whole process at p50. */
  bytesRatio: number;
  timeRatio: number;
  wallRatio: number;
  /** Import + first request at p50 over the bare verified read's. */
  bareReadRatio: number;
}

export interface ColdStartResult {
  processes: number;
  awsSdk: 'bundled';
  helloWorld: BundleResult;
  /** The floor under a data route: a bare function that verifies the token and reads one item, with the same libraries. */
  bareRead: BundleResult;
  /** Every route as deployed, X-Ray tracing on. */
  handlers: BundleResult[];
  /** A public and a data route again with tracing turned off (POWERTOOLS_TRACE_ENABLED=false): what X-Ray costs. */
  untraced: BundleResult[];
}

const HELLO_WORLD = "export const handler = async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ hello: 'world' }) });";

/**
 * What every data route must do at least: verify the caller's token with aws-jwt-verify (keys
 * fetched at init, as its README advises), create the AWS SDK's DynamoDB document client as the
 * routes do, and read one item: a consistent GetItem of a missing patient, answered 404 (401 if
 * the token fails). No scopes, validation, audit, log or metrics: the floor the two libraries
 * alone set on this machine.
 */
const BARE_VERIFIED_READ = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { JwtVerifier } from 'aws-jwt-verify';
const verifier = JwtVerifier.create({ issuer: process.env.AUTH_ISSUER, audience: process.env.AUTH_AUDIENCE, jwksUri: process.env.AUTH_JWKS_URI });
verifier.hydrate().catch(() => undefined);
const documents = DynamoDBDocumentClient.from(new DynamoDBClient(process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {}));
export const handler = async (event) => {
  try {
    await verifier.verify((event.headers.Authorization ?? '').replace(/^Bearer /, ''));
  } catch {
    return { statusCode: 401, body: '' };
  }
  const { Item } = await documents.send(new GetCommand({ TableName: ${JSON.stringify(tables.resources.name)}, Key: { pk: 'Patient/bench-missing', sk: 'resource' }, ConsistentRead: true }));
  return { statusCode: Item ? 200 : 404, body: '' };
};`;

/** Imports the bundle, serves one request and reports both times on fd 3. */
const PROBE = `
import { writeSync } from 'node:fs';
const started = performance.now();
const { handler } = await import(process.argv[2]);
const imported = performance.now();
const context = { functionName: 'bench', awsRequestId: crypto.randomUUID(), getRemainingTimeInMillis: () => 10000 };
const response = await handler(JSON.parse(process.env.BENCH_EVENT), context);
const served = performance.now();
writeSync(3, JSON.stringify({ importMs: imported - started, firstRequestMs: served - imported, status: response.statusCode }));
process.exit(0);
`;

/** Appended to a route's name for its run with tracing off. */
export const UNTRACED = ', no X-Ray';

interface Probe { importMs: number; firstRequestMs: number; status: number; wallMs: number }

/** `node`: the binary the probes run on (this process's own unless given). */
export async function coldStartBench(sizes: BenchSizes, issuer: TestIssuer, node?: string): Promise<ColdStartResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    const probe = join(dir, 'probe.mjs');
    writeFileSync(probe, PROBE);
    const targets: Array<RouteBundle & { name: string; route?: RouteDefinition; env?: NodeJS.ProcessEnv }> = [];
    targets.push({ name: 'hello-world', ...await bundleSource(HELLO_WORLD, join(dir, 'hello-world.mjs')) });
    // Sent the patient read's event and token, so it verifies what that route verifies.
    targets.push({ name: 'bare-verified-read', route: routes.patientRead, ...await bundleSource(BARE_VERIFIED_READ, join(dir, 'bare-verified-read.mjs')) });
    for (const route of routeList.slice(0, sizes.coldStartRoutes)) {
      targets.push({ name: route.id, route, ...await bundleRoute(route, dir) });
    }
    const routeTargets = targets.slice(2);
    const untracedTargets = routeTargets.filter((t) => t.route === routes.metadata || t.route === routes.patientRead)
      .map((t) => ({ ...t, name: `${t.name}${UNTRACED}`, env: { POWERTOOLS_TRACE_ENABLED: 'false' } }));
    targets.push(...untracedTargets);

    // As the Lambda runtime sets it: handlers start fetching the issuer's keys during init, and trace.
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_LAMBDA_FUNCTION_NAME: 'bench', ...DEPLOYED_TRACING };
    delete env.NODE_OPTIONS;
    // A deployed function checks its issuer's certificate against the runtime's CA store: infra
    // sets no AUTH_EXTRA_CA_FILE (a local-stack setting, with which every JWKS connection parses
    // Node's root certificates again, ~35 ms of CPU). So the test issuer's CA joins that store.
    if (env.AUTH_EXTRA_CA_FILE) env.NODE_EXTRA_CA_CERTS = env.AUTH_EXTRA_CA_FILE;
    delete env.AUTH_EXTRA_CA_FILE;
    const probes = new Map<string, Probe[]>(targets.map((t) => [t.name, []]));
    // Round-robin, so noise from the shared machine falls on every bundle alike; one process
    // per core at a time (two on this machine), each still a fresh process of its own.
    const queue = Array.from({ length: sizes.coldStartProcesses }, () => targets).flat();
    const probeOne = async (target: (typeof targets)[number]) => {
      const token = target.route?.scope ? await issuer.token({ scope: scopeFor(target.route) }) : undefined;
      const event = target.route ? routeEvent(target.route, token) : {};
      const run = await runNode([probe, pathToFileURL(target.outfile).href], { env: { ...env, ...target.env, BENCH_EVENT: JSON.stringify(event) }, timeoutMs: 20_000, node });
      probes.get(target.name)?.push({ ...(JSON.parse(run.result) as Omit<Probe, 'wallMs'>), wallMs: run.wallMs });
    };
    const lane = async () => {
      for (let target = queue.shift(); target; target = queue.shift()) await probeOne(target);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(2, availableParallelism())) }, lane));

    const summarise = (target: (typeof targets)[number]) => {
      const runs = probes.get(target.name) ?? [];
      const total = runs.map((r) => r.importMs + r.firstRequestMs);
      const wall = runs.map((r) => r.wallMs);
      return {
        name: target.name,
        dataRoute: Boolean(target.route?.scope),
        bytes: statSync(target.outfile).size,
        importBytes: importClosure(target.metafile, target.outfile).reduce((sum, chunk) => sum + chunk.bytes, 0),
        totalBytes: Object.entries(target.metafile.outputs).filter(([path]) => path.endsWith('.mjs')).reduce((sum, [, o]) => sum + o.bytes, 0),
        largestInputs: largestInputs(target.metafile, target.outfile),
        firstStatus: runs[0]?.status ?? 0,
        importMs: round(median(runs.map((r) => r.importMs)), 2),
        firstRequestMs: round(median(runs.map((r) => r.firstRequestMs)), 2),
        importAndFirstRequestMs: { p50: round(median(total), 2), p99: round(percentile(total, 0.99), 2) },
        processWallMs: { p50: round(median(wall), 1), p99: round(percentile(wall, 0.99), 1) },
      };
    };
    const [helloTarget, bareReadTarget] = targets as [(typeof targets)[number], (typeof targets)[number]];
    const base = summarise(helloTarget);
    const floor = summarise(bareReadTarget);
    const withRatios = (s: ReturnType<typeof summarise>): BundleResult => ({
      ...s,
      bytesRatio: round(s.bytes / base.bytes, 1),
      timeRatio: round(s.importAndFirstRequestMs.p50 / base.importAndFirstRequestMs.p50, 2),
      wallRatio: round(s.processWallMs.p50 / base.processWallMs.p50, 2),
      bareReadRatio: round(s.importAndFirstRequestMs.p50 / floor.importAndFirstRequestMs.p50, 2),
    });
    return {
      processes: sizes.coldStartProcesses, awsSdk: 'bundled', helloWorld: withRatios(base), bareRead: withRatios(floor),
      handlers: routeTargets.map((t) => withRatios(summarise(t))),
      untraced: untracedTargets.map((t) => withRatios(summarise(t))),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
