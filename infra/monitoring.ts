/**
 * Alarms to an encrypted SNS topic: gateway 5xx and 4xx rates, p99 latency, throttled requests,
 * WAF blocks, and per function its errors and throttles, and, from the metrics it emits
 * (packages/core/src/api-metrics.ts), authentication failures and scope refusals per minute, its
 * 5xx rate, audit writes that failed, and dependencies that throttled it. Audit seal failures
 * and gateway throttling have no function metric: log metric filters count them.
 */
import type { ApiMetricName } from '../packages/core/src/api-metrics';
import { metricsNamespace, outcomeMetrics, refusalMetrics, REQUESTS_METRIC, routeMetricDimensions } from '../packages/core/src/api-metrics';
import { api, routeFunctions, stage } from './api';
import { logsKey } from './logs';
import { deployOptions } from './stage';
import { webAcl } from './waf';

export const alarmTopic = new aws.sns.Topic('Alarms', { kmsMasterKeyId: logsKey.arn });

if (deployOptions.alarmEmail) {
  new aws.sns.TopicSubscription('AlarmsEmail', { topic: alarmTopic.arn, protocol: 'email', endpoint: deployOptions.alarmEmail });
}

/** The namespace the functions emit their metrics in; log metric filters count into it too. */
export const METRICS_NAMESPACE = metricsNamespace($app.name, $app.stage);
const ONE_MINUTE = 60;
const FIVE_MINUTES = 300;

type AlarmArgs = Omit<aws.cloudwatch.MetricAlarmArgs, 'alarmActions' | 'okActions' | 'evaluationPeriods'> & { evaluationPeriods?: number };

function alarm(name: string, args: AlarmArgs): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(name, {
    // A metric math alarm sets its period on each metric.
    ...(args.metricQueries ? {} : { period: FIVE_MINUTES }),
    treatMissingData: 'notBreaching',
    ...args,
    evaluationPeriods: args.evaluationPeriods ?? 1,
    alarmActions: [alarmTopic.arn],
    okActions: [alarmTopic.arn],
  });
}

/** Counts matching log lines as a metric in this stack's namespace, and alarms on it. */
function logAlarm(name: string, logGroupName: $util.Input<string>, pattern: string, threshold: number, description: string): void {
  new aws.cloudwatch.LogMetricFilter(`${name}Filter`, {
    logGroupName,
    pattern,
    metricTransformation: { name, namespace: METRICS_NAMESPACE, value: '1', defaultValue: '0' },
  });
  alarm(`${name}Alarm`, {
    alarmDescription: description,
    namespace: METRICS_NAMESPACE,
    metricName: name,
    statistic: 'Sum',
    comparisonOperator: 'GreaterThanThreshold',
    threshold,
  });
}

/** Alarms on a metric one route's function emits (a Sum over `period`). */
function routeMetricAlarm(name: string, routeId: string, metricName: ApiMetricName, threshold: number, description: string, period = ONE_MINUTE): void {
  alarm(name, {
    alarmDescription: description,
    namespace: METRICS_NAMESPACE, metricName, dimensions: routeMetricDimensions($app.name, routeId),
    statistic: 'Sum', period, comparisonOperator: 'GreaterThanThreshold', threshold,
  });
}

/** Alarms when more than `threshold` of a route's calls end in a 5xx (metric math on two emitted metrics). */
function routeServerErrorRateAlarm(name: string, routeId: string, threshold: number): void {
  const metric = (id: string, metricName: ApiMetricName) => ({
    id, metric: { namespace: METRICS_NAMESPACE, metricName, dimensions: routeMetricDimensions($app.name, routeId), stat: 'Sum', period: FIVE_MINUTES },
  });
  alarm(name, {
    alarmDescription: `More than ${threshold * 100}% of calls to ${routeId} fail on the server side`,
    comparisonOperator: 'GreaterThanThreshold', threshold,
    metricQueries: [
      metric('errors', outcomeMetrics['server-error']),
      metric('requests', REQUESTS_METRIC),
      { id: 'rate', expression: 'errors / requests', label: '5xx rate', returnData: true },
    ],
  });
}

export const apiDimensions = { ApiName: api.nodes.api.name, Stage: stage.stageName };

alarm('Api5xxRateAlarm', {
  alarmDescription: 'More than 1% of requests fail on the server side',
  namespace: 'AWS/ApiGateway', metricName: '5XXError', dimensions: apiDimensions,
  statistic: 'Average', comparisonOperator: 'GreaterThanThreshold', threshold: 0.01,
});
alarm('Api4xxRateAlarm', {
  alarmDescription: 'More than 10% of requests are refused',
  namespace: 'AWS/ApiGateway', metricName: '4XXError', dimensions: apiDimensions,
  statistic: 'Average', comparisonOperator: 'GreaterThanThreshold', threshold: 0.1,
});
alarm('ApiLatencyP99Alarm', {
  alarmDescription: 'p99 latency above 3 s',
  namespace: 'AWS/ApiGateway', metricName: 'Latency', dimensions: apiDimensions,
  extendedStatistic: 'p99', comparisonOperator: 'GreaterThanThreshold', threshold: 3000, evaluationPeriods: 3,
});
alarm('WafBlockedAlarm', {
  alarmDescription: 'WAF is blocking an unusual number of requests',
  namespace: 'AWS/WAFV2', metricName: 'BlockedRequests',
  dimensions: { WebACL: webAcl.name, Rule: 'ALL', Region: aws.getRegionOutput().region },
  statistic: 'Sum', comparisonOperator: 'GreaterThanThreshold', threshold: 100,
});

const accessLogGroup = api.nodes.logGroup!.name;
logAlarm('ThrottledRequests', accessLogGroup, '{ $.status = 429 }', 50, 'Callers are being throttled (usage plan, stage or quota)');

for (const [id, { function: fn, logGroup }] of Object.entries(routeFunctions)) {
  const dimensions = { FunctionName: fn.name };
  alarm(`${id}ErrorsAlarm`, {
    alarmDescription: `Function ${id} failed`,
    namespace: 'AWS/Lambda', metricName: 'Errors', dimensions,
    statistic: 'Sum', comparisonOperator: 'GreaterThanThreshold', threshold: 0,
  });
  alarm(`${id}ThrottlesAlarm`, {
    alarmDescription: `Function ${id} was throttled`,
    namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions,
    statistic: 'Sum', comparisonOperator: 'GreaterThanThreshold', threshold: 0,
  });
  routeMetricAlarm(`${id}AuthenticationFailedAlarm`, id, refusalMetrics['authentication-failed'], 20, `More than 20 token failures a minute on ${id}`);
  routeMetricAlarm(`${id}ScopeDeniedAlarm`, id, refusalMetrics['scope-denied'], 20, `More than 20 scope refusals a minute on ${id}`);
  routeMetricAlarm(`${id}AuditWriteFailedAlarm`, id, refusalMetrics['audit-write-failed'], 0, `Audit records not written on ${id}`);
  routeMetricAlarm(`${id}ThrottledAlarm`, id, refusalMetrics.throttled, 0, `DynamoDB or KMS throttled ${id}`, FIVE_MINUTES);
  routeServerErrorRateAlarm(`${id}ServerErrorRateAlarm`, id, 0.01);
  // A chain head the audit trail could not seal: its newest records lack tamper evidence until the next seal.
  logAlarm(`${id}AuditSealFailures`, logGroup.name, '{ $.message = "audit seal failed" }', 0, `Audit chain heads not sealed on ${id}`);
}
