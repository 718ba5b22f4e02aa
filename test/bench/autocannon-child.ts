/**
 * autocannon in a process of its own (`runNode`), so the load generator's CPU is not counted as
 * the server's: options as JSON in argv[2], the result's figures as JSON on fd 3.
 */
import autocannon from 'autocannon';
import { writeSync } from 'node:fs';

const options = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof autocannon>[0];
const result = await autocannon(options);
writeSync(3, JSON.stringify({
  requests: result.requests.total,
  requestsPerSecond: result.requests.average,
  latencyP50Ms: result.latency.p50,
  latencyP99Ms: result.latency.p99,
  statusCodeStats: result.statusCodeStats ?? {},
  errors: result.errors + result.timeouts,
}));
