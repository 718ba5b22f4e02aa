import { describe, expect, it } from 'vitest';
import { runBench } from './bench.js';
import { resultsSvg } from './chart.js';
import { checkTargets, markdown } from './report.js';
import { SMOKE } from './sizes.js';
import { LAMBDA_RUNTIME } from '../../infra/controls.js';

// The smoke run keeps the bench from rotting: every section runs a few hundred iterations and
// yields its ratios. Its timings mean nothing and nothing here asserts on them.
describe('bench smoke run', () => {
  it('runs every section and yields a ratio for each measure', async () => {
    const results = await runBench(SMOKE, 'smoke');
    const finite = (value: number) => expect(Number.isFinite(value)).toBe(true);
    finite(results.pipeline.ratioRepeatToken.p50);
    finite(results.pipeline.ratioFreshToken.p99);
    finite(results.pipeline.signatureShareOfOverhead);
    expect(results.pipeline.logBytesPerRequest).toBeGreaterThan(0);
    finite(results.pipelineTraced.overheadSampledUs.p50);
    finite(results.pipelineTraced.overheadUnsampledUs.p50);
    expect(results.coldStart.handlers.length).toBeGreaterThan(0);
    // The floor verified the token and read DynamoDB: a missing item answers 404, a refused token 401.
    expect(results.coldStart.bareRead.firstStatus).toBe(404);
    expect(results.coldStart.untraced.map((b) => b.name)).toContain('metadata, no X-Ray');
    for (const bundle of [...results.coldStart.handlers, ...results.coldStart.untraced]) {
      finite(bundle.timeRatio);
      expect(bundle.bytes).toBeGreaterThan(0);
      // Past authentication: the probe's token was verified against the issuer's keys (no 401 or 503).
      expect([200, 400, 404]).toContain(bundle.firstStatus);
    }
    finite(results.memory.heapGrowthBytesPerRequest);
    expect(results.https.paths.length).toBeGreaterThan(0);
    for (const path of results.https.paths) finite(path.throughputRatio);
    // Counts, not timings: a read needs the data item and one audit write, and nothing else.
    expect(results.https.work.map((w) => w.kind)).toEqual(['read', 'create', 'update', 'search']);
    expect(results.https.work[0]?.dynamoCalls).toEqual({ 'GetItem Resources': 1, 'PutItem Audit': 1 });
    // Kept-alive connections to DynamoDB: sequential reads open none.
    expect(results.https.work[0]?.dynamoConnections).toBe(0);
    // What Lambda runs, again on its runtime's Node release (installed by the bench, for Linux x64 and arm64).
    const lambda = results.lambdaRuntime;
    if (!['linux-x64', 'linux-arm64'].includes(`${process.platform}-${process.arch}`)) expect(lambda).toHaveProperty('unavailable');
    else {
      if (!('node' in lambda)) throw new Error(lambda.unavailable);
      expect(lambda.node.split('.')[0]).toBe(`v${/\d+/.exec(LAMBDA_RUNTIME)?.[0]}`);
      expect(lambda.node).not.toBe(process.version);
      finite(lambda.pipeline.ratioRepeatToken.p50);
      finite(lambda.pipelineTraced.overheadSampledUs.p50);
      expect(lambda.coldStart.bareRead.firstStatus).toBe(404);
      for (const bundle of lambda.coldStart.handlers) expect([200, 400, 404]).toContain(bundle.firstStatus);
      expect(checkTargets(results).map((c) => c.target)).toContain(`chain overhead without signature ≤ 30 µs p50, on ${LAMBDA_RUNTIME}'s node ${lambda.node}`);
    }
    expect(markdown(results, checkTargets(results))).toContain('| target | measured | met |');
    expect(resultsSvg(results)).toMatch(/^<svg[^]*<\/svg>\n$/);
  }, 240_000);
});
