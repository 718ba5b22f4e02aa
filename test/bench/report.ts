import type { BenchResults } from './bench.js';

/** The issue's targets for this machine. */
export const TARGETS = {
  chainOverheadP50Us: 30,
  gatewayThroughputRatio: 0.5,
  bundleBytes: 400 * 1024,
  bundleTimeRatio: 2,
  /** "No per-request growth": heap growth across the second batch, per request, after forced GC. */
  heapGrowthBytesPerRequest: 64,
} as const;

export interface TargetCheck { target: string; measured: string; met: boolean }

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const us = (value: number) => `${value.toFixed(1)} µs`;

export function checkTargets(r: BenchResults): TargetCheck[] {
  const p = r.pipeline;
  const checks: TargetCheck[] = [
    { target: `chain overhead without signature ≤ ${TARGETS.chainOverheadP50Us} µs p50`, measured: us(p.overheadWithoutSignatureUs.p50), met: p.overheadWithoutSignatureUs.p50 <= TARGETS.chainOverheadP50Us },
  ];
  for (const b of r.coldStart.handlers) {
    checks.push({ target: `${b.name}: bundle ≤ 400 KB`, measured: kb(b.bytes), met: b.bytes <= TARGETS.bundleBytes });
    checks.push({ target: `${b.name}: import + first request ≤ ${TARGETS.bundleTimeRatio}× hello-world`, measured: `${b.timeRatio}×`, met: b.timeRatio <= TARGETS.bundleTimeRatio });
  }
  checks.push({ target: `heap growth ≤ ${TARGETS.heapGrowthBytesPerRequest} B/request over a second batch`, measured: `${r.memory.heapGrowthBytesPerRequest} B`, met: r.memory.heapGrowthBytesPerRequest <= TARGETS.heapGrowthBytesPerRequest });
  for (const path of r.https.paths) {
    checks.push({ target: `${path.path}: gateway ≥ ${TARGETS.gatewayThroughputRatio * 100} % of bare https`, measured: `${(path.throughputRatio * 100).toFixed(1)} %`, met: path.throughputRatio >= TARGETS.gatewayThroughputRatio });
  }
  return checks;
}

/** The markdown that `npm run bench` prints (and the README shows). */
export function markdown(r: BenchResults, checks: readonly TargetCheck[]): string {
  const p = r.pipeline;
  const lines = [
    `### Pipeline overhead (${p.route}, µs per request)`,
    '',
    '| variant | p50 | p99 | × bare p50 | × bare p99 |',
    '|---|---:|---:|---:|---:|',
    `| bare business function | ${us(p.bare.p50Us)} | ${us(p.bare.p99Us)} | 1 | 1 |`,
    `| chain, repeat token (cache hit) | ${us(p.chainRepeatToken.p50Us)} | ${us(p.chainRepeatToken.p99Us)} | ${p.ratioRepeatToken.p50} | ${p.ratioRepeatToken.p99} |`,
    `| chain, fresh token (signature checked) | ${us(p.chainFreshToken.p50Us)} | ${us(p.chainFreshToken.p99Us)} | ${p.ratioFreshToken.p50} | ${p.ratioFreshToken.p99} |`,
    `| chain + audit trail (real route; dynalite) | ${us(p.chainWithAudit.p50Us)} | ${us(p.chainWithAudit.p99Us)} | | |`,
    `| ES256 signature alone | ${us(p.signatureAlone.p50Us)} | ${us(p.signatureAlone.p99Us)} | | |`,
    '',
    `Chain minus bare: ${us(p.overheadWithoutSignatureUs.p50)} p50 / ${us(p.overheadWithoutSignatureUs.p99)} p99 with a cached token, ` +
      `${us(p.overheadWithSignatureUs.p50)} p50 / ${us(p.overheadWithSignatureUs.p99)} p99 with a fresh one; ` +
      `the audit trail adds ${us(p.auditCostUsP50)} p50. Signature verification is ${(p.signatureShareOfOverhead * 100).toFixed(0)} % of the fresh-token overhead. ` +
      `Logging stays on (${p.logBytesPerRequest} bytes per request into a null sink).`,
    '',
    `### Cold start proxy (${r.coldStart.processes} fresh node processes each; AWS SDK ${r.coldStart.awsSdk})`,
    '',
    '| bundle | entry chunk | all chunks | × hello | import | first request | import + first p50 | p99 | × hello | process wall p50 | × hello | first status | largest inputs |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...[r.coldStart.helloWorld, ...r.coldStart.handlers].map((b) =>
      `| ${b.name} | ${kb(b.bytes)} | ${kb(b.totalBytes)} | ${b.bytesRatio} | ${b.importMs} ms | ${b.firstRequestMs} ms | ${b.importAndFirstRequestMs.p50} ms | ${b.importAndFirstRequestMs.p99} ms | ${b.timeRatio} | ${b.processWallMs.p50} ms | ${b.wallRatio} | ${b.firstStatus} | ${b.largestInputs.slice(0, 4).map((i) => `${i.package} ${kb(i.bytes)}`).join(', ')} |`),
    '',
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
    `${r.https.connections} connections, ${r.https.seconds} s per server, keep-alive, the same certificate and TLS policy; the bare server answers the bytes the gateway answered.`,
    '',
    '| path | server | requests/s | p50 | p99 | statuses | gateway ÷ bare |',
    '|---|---|---:|---:|---:|---|---:|',
    ...r.https.paths.flatMap((path) => [
      `| ${path.path} | bare node https | ${path.bare.requestsPerSecond} | ${path.bare.latencyP50Ms} ms | ${path.bare.latencyP99Ms} ms | ${JSON.stringify(path.bare.statusCounts)} | |`,
      `| | local gateway | ${path.gateway.requestsPerSecond} | ${path.gateway.latencyP50Ms} ms | ${path.gateway.latencyP99Ms} ms | ${JSON.stringify(path.gateway.statusCounts)} | ${(path.throughputRatio * 100).toFixed(1)} % of req/s, ${path.p99Ratio}× p99 |`,
    ]),
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
