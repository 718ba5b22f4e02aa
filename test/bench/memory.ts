import { secureHandler } from '@health-api/middleware';
import { lambdaContext } from '../support/events.js';
import { configureAuth } from '../support/handler-env.js';
import { startTestIssuer } from '../support/issuer.js';
import { business, route, validators } from './business.js';
import { routeEvent, scopeFor } from './events.js';
import { nullLogSink } from './log-sink.js';
import type { BenchSizes } from './sizes.js';

export interface MemoryReading {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
}

export interface MemoryResult {
  route: string;
  requestsPerBatch: number;
  afterFirstBatch: MemoryReading;
  afterSecondBatch: MemoryReading;
  heapGrowthBytesPerRequest: number;
  rssGrowthBytesPerRequest: number;
}

function reading(): MemoryReading {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  const usage = process.memoryUsage();
  return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external };
}

/**
 * One handler instance, as in one Lambda container: a batch of requests, a reading after a
 * forced GC, a second batch, a second reading. Growth between the readings is a leak.
 */
export async function memoryBench(sizes: BenchSizes): Promise<MemoryResult> {
  const issuer = await startTestIssuer();
  const sink = nullLogSink();
  try {
    configureAuth(issuer);
    const handler = secureHandler(route, business, validators);
    const context = lambdaContext(3_600_000);
    const scope = scopeFor(route);
    const tokens = await Promise.all(Array.from({ length: sizes.freshTokens }, () => issuer.token({ scope })));
    let sent = 0;
    const batch = async () => {
      for (let i = 0; i < sizes.memoryRequests; i += 1) {
        const result = await handler(routeEvent(route, tokens[sent++ % tokens.length]), context);
        if (result.statusCode !== 200) throw new Error(`request ${sent} answered ${result.statusCode}`);
      }
    };
    await batch();
    const first = reading();
    await batch();
    const second = reading();
    return {
      route: `${route.method} ${route.path}`,
      requestsPerBatch: sizes.memoryRequests,
      afterFirstBatch: first,
      afterSecondBatch: second,
      heapGrowthBytesPerRequest: Math.round((second.heapUsedBytes - first.heapUsedBytes) / sizes.memoryRequests),
      rssGrowthBytesPerRequest: Math.round((second.rssBytes - first.rssBytes) / sizes.memoryRequests),
    };
  } finally {
    sink.restore();
    await issuer.close();
  }
}
