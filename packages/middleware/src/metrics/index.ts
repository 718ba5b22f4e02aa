import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EmfOutput } from '@aws-lambda-powertools/metrics/types';
import type { RouteDefinition } from '@health-api/core';
import {
  ApiError, config, LATENCY_METRIC, metricsNamespace, outcomeMetrics, outcomeOf, refusalClassOf, refusalMetrics, REQUESTS_METRIC,
} from '@health-api/core';
import type { ApiMiddleware, ApiRequest } from '../request-state.js';

export type { EmfOutput };

/**
 * One Metrics per route and container, built on first use (the namespace comes from the
 * configuration). The route is one of its default dimensions, set once: a per-call
 * `addDimension` costs Powertools several store look-ups, each of which reads `process.env`.
 */
function routeMetrics(route: RouteDefinition): () => Metrics {
  let built: Metrics | undefined;
  return () => {
    if (built) return built;
    const { serviceName, stage } = config();
    built = new Metrics({ namespace: metricsNamespace(serviceName, stage), serviceName, defaultDimensions: { route: route.id } });
    return built;
  };
}

/** Client ids fit for a dimension value; any other is left out. */
const TAME_CLIENT_ID = /^[\w.:-]{1,128}$/;

const listeners = new Set<(emf: EmfOutput) => void>();

/**
 * Hands every flushed EMF document to `listener` as well (the local gateway's dashboard reads
 * them). In Lambda the same document goes to stdout, where CloudWatch extracts the metrics;
 * `POWERTOOLS_METRICS_DISABLED` turns that off. Returns the function that unsubscribes.
 */
export function onMetricsFlush(listener: (emf: EmfOutput) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Powertools Metrics for each call: `Requests`, its outcome, its refusal class if any, and its
 * `Latency`, under the dimensions `service` and `route` (the manifest id) only. No value from
 * the request reaches a metric, so nothing a caller sends can add a dimension or leak into one.
 * A deployer may opt in to a second dimension set with the verified token's client id.
 * Flushed once per invocation, after the audit trail had its say (it runs inside this).
 */
export function requestMetrics(route: RouteDefinition): ApiMiddleware {
  // Not in `request.internal`: Powertools' logger middleware, next in the chain, copies that object
  // with a spread, and V8 (Node 20) gives a copy of a non-empty object a map of its own, so every
  // field the later steps add costs a new map (about 13 µs per request, measured).
  const started = new WeakMap<ApiRequest, number>();
  const metrics = routeMetrics(route);
  const flush = (request: ApiRequest): void => {
    const m = metrics();
    const error = request.error instanceof ApiError ? request.error : undefined;
    const refusal = error ? refusalClassOf(error.code, error.reason) : null;
    const clientId = request.internal.auth?.clientId;
    // Only where the deployer allows it, and only a verified, tame client id. Powertools publishes
    // the default set (service, route) on its own only while no other set exists: an empty set keeps it.
    if (config().metricsClientIds && clientId && TAME_CLIENT_ID.test(clientId)) m.addDimensions({}).addDimensions({ clientId });
    m.addMetric(REQUESTS_METRIC, MetricUnit.Count, 1);
    m.addMetric(outcomeMetrics[outcomeOf(request.response?.statusCode ?? 500)], MetricUnit.Count, 1);
    if (refusal) m.addMetric(refusalMetrics[refusal], MetricUnit.Count, 1);
    // A refused call whose audit record failed keeps its refusal; the failure still counts.
    if (request.internal.auditFailed && refusal !== 'audit-write-failed') m.addMetric(refusalMetrics['audit-write-failed'], MetricUnit.Count, 1);
    m.addMetric(LATENCY_METRIC, MetricUnit.Milliseconds, performance.now() - (started.get(request) ?? performance.now()));
    if (listeners.size > 0) {
      const emf = m.serializeMetrics();
      for (const listener of listeners) listener(emf);
    }
    m.publishStoredMetrics();
  };
  return {
    name: 'request-metrics',
    before: (request) => {
      started.set(request, performance.now());
    },
    after: flush,
    onError: flush,
  };
}
