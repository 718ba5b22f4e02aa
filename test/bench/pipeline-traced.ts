/**
 * The chain as it runs deployed, with X-Ray active tracing (infra/api.ts): the Powertools Tracer
 * loaded, and before each invocation a new trace header, as the Lambda runtime sets it. Run in a
 * process of its own, started with the environment of a traced function (bench.ts), since whether
 * a container traces is fixed when it loads. Sampled invocations send their subsegments to the
 * X-Ray daemon's address by UDP (nothing listens here); X-Ray's default rule samples the first
 * request each second and 5 % of the rest, so most invocations are unsampled.
 */
import { tracer } from '@health-api/core/tracing';
import { secureHandler } from '@health-api/middleware';
import { lambdaContext } from '../support/events.js';
import { configureAuth } from '../support/handler-env.js';
import { startTestIssuer } from '../support/issuer.js';
import { business, route, unauditedRoute, validators } from './business.js';
import { routeEvent, scopeFor } from './events.js';
import { nullLogSink } from './log-sink.js';
import { bare } from './pipeline.js';
import { expectOk, timeInRounds } from './rounds.js';
import type { BenchSizes } from './sizes.js';
import type { Latency } from './stats.js';
import { round } from './stats.js';

export interface TracedPipelineResult {
  bare: Latency;
  chainSampled: Latency;
  chainUnsampled: Latency;
  /** Chain minus bare, µs per request, both measured with the tracer loaded. */
  overheadSampledUs: { p50: number; p99: number };
  overheadUnsampledUs: { p50: number; p99: number };
}

let invocation = 0;
/** What the runtime does before each invocation: a trace header of its own. */
function newInvocation(sampled: boolean): void {
  invocation += 1;
  process.env._X_AMZN_TRACE_ID = `Root=1-67891233-${invocation.toString(16).padStart(24, '0')};Parent=53995c3f42cd8ad8;Sampled=${sampled ? 1 : 0}`;
}

export async function tracedPipelineBench(sizes: BenchSizes): Promise<TracedPipelineResult> {
  if (!tracer) throw new Error('the tracer is not loaded: run with the environment of a traced function (bench.ts)');
  const issuer = await startTestIssuer();
  const sink = nullLogSink();
  try {
    configureAuth(issuer);
    const handler = secureHandler<typeof route>(unauditedRoute as typeof route, business, validators);
    const context = lambdaContext(3_600_000);
    const token = await issuer.token({ scope: scopeFor(route) });
    newInvocation(true);
    expectOk(await bare(routeEvent(route, token)), 'bare');
    expectOk(await handler(routeEvent(route, token), context), 'chain, traced');
    const latency = await timeInRounds(sizes, {
      bare: () => { newInvocation(false); return bare(routeEvent(route, token)); },
      'chain, sampled': async () => { newInvocation(true); await handler(routeEvent(route, token), context); },
      'chain, unsampled': async () => { newInvocation(false); await handler(routeEvent(route, token), context); },
    });
    const bareLatency = latency('bare');
    const minus = (a: Latency) => ({ p50: round(a.p50Us - bareLatency.p50Us), p99: round(a.p99Us - bareLatency.p99Us) });
    const chainSampled = latency('chain, sampled');
    const chainUnsampled = latency('chain, unsampled');
    return { bare: bareLatency, chainSampled, chainUnsampled, overheadSampledUs: minus(chainSampled), overheadUnsampledUs: minus(chainUnsampled) };
  } finally {
    sink.restore();
    await issuer.close();
  }
}
