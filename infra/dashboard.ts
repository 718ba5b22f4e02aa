/**
 * The API's CloudWatch dashboard: requests per route, refusals by class, 5xx, latency p50 and
 * p99 per route, and WAF blocks. The function metrics are found by name in the one list the
 * functions emit from (packages/core/src/api-metrics.ts), across every route by SEARCH.
 */
import type { ApiMetricName } from '../packages/core/src/api-metrics';
import { LATENCY_METRIC, METRIC_DIMENSIONS, outcomeMetrics, refusalMetrics, REQUESTS_METRIC } from '../packages/core/src/api-metrics';
import { apiDimensions, METRICS_NAMESPACE } from './monitoring';
import { webAcl } from './waf';

const PERIOD = 60;

/** Every route's series of one function metric. */
const perRoute = (metricName: ApiMetricName, stat: string) =>
  `SEARCH('{"${METRICS_NAMESPACE}",${METRIC_DIMENSIONS.join(',')}} MetricName="${metricName}"', '${stat}', ${PERIOD})`;

const graph = (title: string, metrics: unknown[], x: number, y: number) => ({
  type: 'metric', x, y, width: 12, height: 6,
  properties: { title, metrics, view: 'timeSeries', stacked: false, region: aws.getRegionOutput().region, period: PERIOD },
});

const expression = (id: string, text: string, label: string) => [{ id, expression: text, label }];

export const dashboard = new aws.cloudwatch.Dashboard('ApiDashboard', {
  dashboardName: `${$app.name}-${$app.stage}`,
  dashboardBody: $jsonStringify({
    widgets: [
      graph('Requests per route', [expression('requests', perRoute(REQUESTS_METRIC, 'Sum'), '')], 0, 0),
      graph('Refusals by class', Object.entries(refusalMetrics).map(([refusal, metricName], i) =>
        expression(`refusal${i}`, `SUM(${perRoute(metricName, 'Sum')})`, refusal)), 12, 0),
      graph('5xx', [
        expression('functions', `SUM(${perRoute(outcomeMetrics['server-error'], 'Sum')})`, 'function 5xx'),
        ['AWS/ApiGateway', '5XXError', 'ApiName', apiDimensions.ApiName, 'Stage', apiDimensions.Stage, { stat: 'Sum', label: 'gateway 5xx' }],
        ['AWS/ApiGateway', '4XXError', 'ApiName', apiDimensions.ApiName, 'Stage', apiDimensions.Stage, { stat: 'Sum', label: 'gateway 4xx' }],
      ], 0, 6),
      graph('Latency p50 and p99 per route (ms)', [
        expression('p50', perRoute(LATENCY_METRIC, 'p50'), 'p50'),
        expression('p99', perRoute(LATENCY_METRIC, 'p99'), 'p99'),
      ], 12, 6),
      graph('WAF blocks', [
        ['AWS/WAFV2', 'BlockedRequests', 'WebACL', webAcl.name, 'Rule', 'ALL', 'Region', aws.getRegionOutput().region, { stat: 'Sum' }],
      ], 0, 12),
    ],
  }),
});
