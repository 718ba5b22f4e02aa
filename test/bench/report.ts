import type { BenchResults, LambdaRuntimeResults } from './bench.js';
import type { ColdStartResult } from './cold-start.js';
import { UNTRACED } from './cold-start.js';
import type { HttpsResult, RequestWork } from './https-end-to-end.js';
import type { PipelineResult } from './pipeline.js';
import { round } from './stats.js';
import { LAMBDA_ARCHITECTURE } from '../../infra/controls.js';

/** The targets for this machine (issue 16), as ratios against baselines of the same run where they can be. */
export const TARGETS = {
  chainOverheadP50Us: 30,
  /** Gateway requests/s over a bare node https server's, by path: a public read, an audited encrypted read. */
  gatewayThroughputRatio: { metadata: 0.5, patientRead: 0.25 },
  entryChunkBytes: 80 * 1024,
  /** Import + first request, p50, over the hello-world bundle's. */
  coldStartTimeRatio: 20,
  /** "No per-request growth": heap growth across the second batch, per request, after forced GC. */
  heapGrowthBytesPerRequest: 64,
} as const;

export interface TargetCheck { target: string; measured: string; met: boolean }

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const dataRoutes = (r: BenchResults) => r.coldStart.handlers.filter((b) => b.dataRoute);
/** What tracing adds to a route's import + first request: its traced row minus its untraced one. */
function xrayCost(coldStart: ColdStartResult, untraced: ColdStartResult['untraced'][number]): string {
  const name = untraced.name.slice(0, -UNTRACED.length);
  const traced = coldStart.handlers.find((b) => b.name === name);
  return traced ? `X-Ray adds ${(traced.importAndFirstRequestMs.p50 - untraced.importAndFirstRequestMs.p50).toFixed(1)} ms to ${name}` : name;
}
const span = (values: readonly number[]) => (values.length === 0 ? 'n/a' : `${Math.min(...values)}–${Math.max(...values)}`);
const us = (value: number) => `${value.toFixed(1)} µs`;

/** The runtime measures' targets: the chain's overhead and each function's import + first request. */
function runtimeChecks(p: PipelineResult, coldStart: ColdStartResult, on: string): TargetCheck[] {
  return [
    { target: `chain overhead without signature ≤ ${TARGETS.chainOverheadP50Us} µs p50${on}`, measured: us(p.overheadWithoutSignatureUs.p50), met: p.overheadWithoutSignatureUs.p50 <= TARGETS.chainOverheadP50Us },
    ...coldStart.handlers.map((b) => ({
      target: `${b.name}: import + first request p50 ≤ ${TARGETS.coldStartTimeRatio}× hello-world${on}`, measured: `${b.timeRatio}×`, met: b.timeRatio <= TARGETS.coldStartTimeRatio,
    })),
  ];
}

export function checkTargets(r: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [
    ...r.coldStart.handlers.map((b) => ({ target: `${b.name}: entry chunk ≤ ${TARGETS.entryChunkBytes / 1024} KB`, measured: kb(b.bytes), met: b.bytes <= TARGETS.entryChunkBytes })),
    ...runtimeChecks(r.pipeline, r.coldStart, ''),
  ];
  const lambda = r.lambdaRuntime;
  if ('node' in lambda) checks.push(...runtimeChecks(lambda.pipeline, lambda.coldStart, `, on ${lambda.runtime}'s node ${lambda.node}`));
  checks.push({ target: `heap growth ≤ ${TARGETS.heapGrowthBytesPerRequest} B/request over a second batch`, measured: `${r.memory.heapGrowthBytesPerRequest} B`, met: r.memory.heapGrowthBytesPerRequest <= TARGETS.heapGrowthBytesPerRequest });
  for (const path of r.https.paths) {
    const ratio = path.path.includes('/v1/metadata') ? TARGETS.gatewayThroughputRatio.metadata : TARGETS.gatewayThroughputRatio.patientRead;
    checks.push({ target: `${path.path}: gateway ≥ ${ratio * 100} % of bare https req/s`, measured: `${(path.throughputRatio * 100).toFixed(1)} %`, met: path.throughputRatio >= ratio });
  }
  return checks;
}

/** Why each downstream call of a request is made (keyed `Operation Table`, as the bench counts them). */
const CALL_REASONS: Record<string, string> = {
  'GetItem Resources': 'the resource item (a read; an update reads the current version to check If-Match and keep it)',
  'PutItem Resources': 'a create writes the new item (conditional: never over an existing one); an update writes the superseded version under its own key (vread) and then the new current item (conditional on the expected version)',
  'Query Resources': 'the search, on its blind-index or compartment index',
  'PutItem Audit': 'the audit trail: one hash-chained record per request; a change also writes its intent record before the data write (so no change is ever unaudited)',
  'PutItem AuditSeals': 'a chain seal (its opening or a sealed head): at a chain\'s first record, then every 100 records or 60 s, beside the requests',
  'PutItem Idempotency': 'Powertools idempotency: the in-progress record (conditional), so a retry with the same key waits or replays',
  'UpdateItem Idempotency': 'Powertools idempotency: the completed record with the sealed first response',
  generateDataKey: 'a new data key (KMS GenerateDataKey in AWS): one per record sealed, unless the bounded cache holds one for that record',
  decrypt: 'a data key unwrapped (KMS Decrypt in AWS): only when the bounded cache does not hold it for that record',
};

/** The runtime measures on this machine's Node beside the same on Lambda's release. */
function lambdaRuntimeTable(r: BenchResults, lambda: LambdaRuntimeResults): string[] {
  if (!('node' in lambda)) return [`### On Lambda's Node (${lambda.runtime})`, '', `Not measured: ${lambda.unavailable}.`, ''];
  const ours = `node ${r.node} (this machine's)`;
  const theirs = `node ${lambda.node} (${lambda.runtime})`;
  const chain = (label: string, pick: (p: PipelineResult, t: BenchResults['pipelineTraced']) => number) =>
    `| ${label} | ${us(pick(r.pipeline, r.pipelineTraced))} | ${us(pick(lambda.pipeline, lambda.pipelineTraced))} |`;
  const onLambda = new Map([lambda.coldStart.helloWorld, lambda.coldStart.bareRead, ...lambda.coldStart.handlers, ...lambda.coldStart.untraced].map((b) => [b.name, b]));
  return [
    `### On Lambda's Node (${lambda.runtime})`,
    '',
    `The functions run on ${lambda.runtime}; this machine's Node is ${r.node}. The chain and the cold start are measured again, in the same run, on ${theirs} from the registry's node-linux package (test/bench/lambda-node), on this machine's CPU (${lambda.arch}; the functions deploy on ${LAMBDA_ARCHITECTURE}). ` +
      'Each ratio has its baseline on the same Node.',
    '',
    `| chain, µs p50 | ${ours} | ${theirs} |`,
    '|---|---:|---:|',
    chain('bare business function', (p) => p.bare.p50Us),
    chain('overhead, cached token', (p) => p.overheadWithoutSignatureUs.p50),
    chain('overhead, fresh token', (p) => p.overheadWithSignatureUs.p50),
    chain('overhead, X-Ray on, unsampled', (_, t) => t.overheadUnsampledUs.p50),
    chain('overhead, X-Ray on, sampled', (_, t) => t.overheadSampledUs.p50),
    '',
    `| import + first request p50 | ${ours} | × hello | ${theirs} | × hello | × bare verified read |`,
    '|---|---:|---:|---:|---:|---:|',
    ...[r.coldStart.helloWorld, r.coldStart.bareRead, ...r.coldStart.handlers, ...r.coldStart.untraced].map((b) => {
      const there = onLambda.get(b.name);
      return `| ${b.name} | ${b.importAndFirstRequestMs.p50} ms | ${b.timeRatio} | ${there ? `${there.importAndFirstRequestMs.p50} ms | ${there.timeRatio} | ${there.bareReadRatio}` : ' | |'} |`;
    }),
    '',
    `On ${lambda.runtime}: ${lambda.coldStart.untraced.map((u) => xrayCost(lambda.coldStart, u)).join('; ')}.`,
    '',
  ];
}

function workTable(work: HttpsResult['work']): string[] {
  if (work.length === 0) return [];
  const calls = (w: RequestWork) => Object.entries(w.dynamoCalls).map(([name, n]) => `${n}× ${name}`).join(', ');
  const names = [...new Set(work.flatMap((w) => Object.keys(w.dynamoCalls)))].sort();
  return [
    `### Work per request (${work[0]?.requests ?? 0} sequential requests of each kind through the gateway, after one warm-up; averages per request)`,
    '',
    '| request | statuses | DynamoDB calls | bytes to / from DynamoDB | DynamoDB connections opened (all requests) | data-key calls (KMS in AWS) |',
    '|---|---|---|---:|---:|---|',
    ...work.map((w) => `| ${w.route} | ${JSON.stringify(w.statuses)} | ${calls(w)} | ${w.dynamoRequestBytes} / ${w.dynamoResponseBytes} | ${w.dynamoConnections} | ${w.keyCalls.generateDataKey} GenerateDataKey, ${w.keyCalls.decrypt} Decrypt |`),
    '',
    'Why each call is made:',
    '',
    ...[...names, 'generateDataKey', 'decrypt'].map((name) => `- **${name}**: ${CALL_REASONS[name] ?? 'not explained: look into it'}`),
    '',
  ];
}

/** The markdown that `npm run bench` prints (and the README shows). */
export function markdown(r: BenchResults, checks: readonly TargetCheck[]): string {
  const p = r.pipeline;
  const t = r.pipelineTraced;
  const lines = [
    `### Pipeline overhead (${p.route}, µs per request)`,
    '',
    '| variant | p50 | p99 | × bare p50 | × bare p99 |',
    '|---|---:|---:|---:|---:|',
    `| bare business function | ${us(p.bare.p50Us)} | ${us(p.bare.p99Us)} | 1 | 1 |`,
    `| chain, repeat token (cache hit) | ${us(p.chainRepeatToken.p50Us)} | ${us(p.chainRepeatToken.p99Us)} | ${p.ratioRepeatToken.p50} | ${p.ratioRepeatToken.p99} |`,
    `| chain, fresh token (signature checked) | ${us(p.chainFreshToken.p50Us)} | ${us(p.chainFreshToken.p99Us)} | ${p.ratioFreshToken.p50} | ${p.ratioFreshToken.p99} |`,
    `| chain + audit trail (real route; DynamoDB Local) | ${us(p.chainWithAudit.p50Us)} | ${us(p.chainWithAudit.p99Us)} | | |`,
    `| ES256 signature alone | ${us(p.signatureAlone.p50Us)} | ${us(p.signatureAlone.p99Us)} | | |`,
    `| bare business function, X-Ray on | ${us(t.bare.p50Us)} | ${us(t.bare.p99Us)} | | |`,
    `| chain, repeat token, X-Ray on, sampled | ${us(t.chainSampled.p50Us)} | ${us(t.chainSampled.p99Us)} | ${round(t.chainSampled.p50Us / t.bare.p50Us, 2)} | ${round(t.chainSampled.p99Us / t.bare.p99Us, 2)} |`,
    `| chain, repeat token, X-Ray on, unsampled | ${us(t.chainUnsampled.p50Us)} | ${us(t.chainUnsampled.p99Us)} | ${round(t.chainUnsampled.p50Us / t.bare.p50Us, 2)} | ${round(t.chainUnsampled.p99Us / t.bare.p99Us, 2)} |`,
    '',
    `Chain minus bare: ${us(p.overheadWithoutSignatureUs.p50)} p50 / ${us(p.overheadWithoutSignatureUs.p99)} p99 with a cached token, ` +
      `${us(p.overheadWithSignatureUs.p50)} p50 / ${us(p.overheadWithSignatureUs.p99)} p99 with a fresh one; ` +
      `the audit trail adds ${us(p.auditCostUsP50)} p50. Signature verification is ${(p.signatureShareOfOverhead * 100).toFixed(0)} % of the fresh-token overhead. ` +
      `Logging stays on (${p.logBytesPerRequest} bytes per request into a null sink).`,
    '',
    `The rows marked "X-Ray on" run in a process of their own with the environment of a deployed function, whose X-Ray active tracing is on (infra/api.ts): the Powertools Tracer loaded, and a new trace header before each invocation, as the Lambda runtime sets it. ` +
      `There the chain costs ${us(t.overheadSampledUs.p50)} p50 over bare when the invocation is sampled and ${us(t.overheadUnsampledUs.p50)} when not (X-Ray's default rule samples one request a second and 5 % of the rest), ` +
      `against ${us(p.overheadWithoutSignatureUs.p50)} without the tracer; the bare function itself pays ${us(t.bare.p50Us - p.bare.p50Us)} more, as the tracer's context tracking hooks every promise of the process.`,
    '',
    `### Cold start proxy (${r.coldStart.processes} fresh node processes each; AWS SDK ${r.coldStart.awsSdk})`,
    '',
    'Entry chunk: the handler file itself; loaded at import: with the chunks it imports statically; all chunks: lazy ones too (a validator, the audit trail, idempotency, the Encryption SDK with its keyring, the AWS-only clients). Probes run with AWS_LAMBDA_FUNCTION_NAME set, as in Lambda, so the issuer keys are fetched during init; with X-Ray tracing on as deployed (AWS_EXECUTION_ENV and a sampled trace header, so the Powertools Tracer loads and traces); and trust the test issuer\'s CA through Node\'s CA store (NODE_EXTRA_CA_CERTS), as a deployed function trusts its issuer.',
    '',
    '| bundle | entry chunk | loaded at import | all chunks | × hello | import | first request | import + first p50 | p99 | × hello | × bare verified read | process wall p50 | × hello | first status | largest inputs |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...[r.coldStart.helloWorld, r.coldStart.bareRead, ...r.coldStart.handlers, ...r.coldStart.untraced].map((b) =>
      `| ${b.name} | ${kb(b.bytes)} | ${kb(b.importBytes)} | ${kb(b.totalBytes)} | ${b.bytesRatio} | ${b.importMs} ms | ${b.firstRequestMs} ms | ${b.importAndFirstRequestMs.p50} ms | ${b.importAndFirstRequestMs.p99} ms | ${b.timeRatio} | ${b.bareReadRatio} | ${b.processWallMs.p50} ms | ${b.wallRatio} | ${b.firstStatus} | ${b.largestInputs.slice(0, 4).map((i) => `${i.package} ${kb(i.bytes)}`).join(', ')} |`),
    '',
    `bare-verified-read is the floor under every data route: aws-jwt-verify fetching the issuer's keys at init and verifying the route's token, and the same DynamoDB document client reading one missing item, with no scopes, validation, audit, log or metrics. ` +
      `It alone takes ${r.coldStart.bareRead.timeRatio}× hello-world, ${r.coldStart.bareRead.timeRatio > TARGETS.coldStartTimeRatio ? 'above' : 'within'} the ${TARGETS.coldStartTimeRatio}× target; ` +
      `the data routes take ${span(dataRoutes(r).map((b) => b.bareReadRatio))}× the bare verified read. ` +
      `Rows marked "no X-Ray" are the same bundles with tracing turned off (POWERTOOLS_TRACE_ENABLED=false): ${r.coldStart.untraced.map((u) => xrayCost(r.coldStart, u)).join('; ')}.`,
    '',
    ...lambdaRuntimeTable(r, r.lambdaRuntime),
    `### Memory (${r.memory.route}, one handler instance, ${r.memory.requestsPerBatch} requests per batch, forced GC)`,
    '',
    '| reading | RSS | heap used | external |',
    '|---|---:|---:|---:|',
    `| after batch 1 | ${kb(r.memory.afterFirstBatch.rssBytes)} | ${kb(r.memory.afterFirstBatch.heapUsedBytes)} | ${kb(r.memory.afterFirstBatch.externalBytes)} |`,
    `| after batch 2 | ${kb(r.memory.afterSecondBatch.rssBytes)} | ${kb(r.memory.afterSecondBatch.heapUsedBytes)} | ${kb(r.memory.afterSecondBatch.externalBytes)} |`,
    `| growth per request | ${r.memory.rssGrowthBytesPerRequest} B | ${r.memory.heapGrowthBytesPerRequest} B | |`,
    '',
    '### HTTPS end to end',
    '',
    `${r.https.connections} connections, ${r.https.seconds} s per server after ${r.https.warmupSeconds} s of the same load unmeasured (V8 compiles the hot code first; that is the cold start's), keep-alive, the same certificate and TLS policy; the bare server answers the bytes the gateway answered. ` +
      'autocannon and the DynamoDB emulator run in processes of their own: "our CPU" is the server process\'s (gateway, handlers, the idle issuer), "emulator CPU" the emulator process\'s (its JIT warmed first), ' +
      '"front CPU" the bench\'s counting front to the emulator (a hop the deployed API does not have), all per request answered.',
    '',
    '| path | server | requests/s | p50 | p99 | our CPU / request | emulator CPU / request | front CPU / request | statuses | gateway ÷ bare |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|---:|',
    ...r.https.paths.flatMap((path) => [
      `| ${path.path} | bare node https | ${path.bare.requestsPerSecond} | ${path.bare.latencyP50Ms} ms | ${path.bare.latencyP99Ms} ms | ${us(path.bare.cpuUsPerRequest)} | | | ${JSON.stringify(path.bare.statusCounts)} | |`,
      `| | local gateway | ${path.gateway.requestsPerSecond} | ${path.gateway.latencyP50Ms} ms | ${path.gateway.latencyP99Ms} ms | ${us(path.gateway.cpuUsPerRequest)} | ${us(path.gateway.emulatorCpuUsPerRequest)} | ${us(path.gateway.frontCpuUsPerRequest)} | ${JSON.stringify(path.gateway.statusCounts)} | ${(path.throughputRatio * 100).toFixed(1)} % of req/s, ${path.p99Ratio}× p99 |`,
    ]),
    '',
    ...workTable(r.https.work),
    '',
    '### Targets',
    '',
    '| target | measured | met |',
    '|---|---:|:---:|',
    ...checks.map((c) => `| ${c.target} | ${c.measured} | ${c.met ? 'yes' : 'no'} |`),
    '',
    `Section times (s): ${Object.entries(r.sectionSeconds).map(([name, seconds]) => `${name} ${seconds}`).join(', ')}.`,
  ];
  return `${lines.join('\n')}\n`;
}
