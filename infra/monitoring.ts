/**
 * Alarms to an encrypted SNS topic: gateway 5xx and 4xx rates, p99 latency, throttled requests,
 * authentication and authorisation failures (from the functions' security event lines), audit
 * seal failures, WAF blocks, and each function's errors and throttles.
 */
import { api, routeFunctions, stage } from './api';
import { logsKey } from './logs';
import { deployOptions } from './stage';
import { webAcl } from './waf';

export const alarmTopic = new aws.sns.Topic('Alarms', { kmsMasterKeyId: logsKey.arn });

if (deployOptions.alarmEmail) {
  new aws.sns.TopicSubscription('AlarmsEmail', { topic: alarmTopic.arn, protocol: 'email', endpoint: deployOptions.alarmEmail });
}

const METRICS_NAMESPACE = `${$app.name}/${$app.stage}`;
const FIVE_MINUTES = 300;

type AlarmArgs = Omit<aws.cloudwatch.MetricAlarmArgs, 'alarmActions' | 'okActions' | 'evaluationPeriods'> & { evaluationPeriods?: number };

function alarm(name: string, args: AlarmArgs): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(name, {
    period: FIVE_MINUTES,
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

const apiDimensions = { ApiName: api.nodes.api.name, Stage: stage.stageName };

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
  // The middleware logs one `securityEvent` line per refused token or scope.
  logAlarm(`${id}AuthenticationFailures`, logGroup.name, '{ $.securityEvent.eventType = "authentication" }', 20, `Repeated token failures on ${id}`);
  logAlarm(`${id}AuthorisationFailures`, logGroup.name, '{ $.securityEvent.eventType = "authorisation" }', 20, `Repeated scope refusals on ${id}`);
  // A chain head the audit trail could not seal: its newest records lack tamper evidence until the next seal.
  logAlarm(`${id}AuditSealFailures`, logGroup.name, '{ $.message = "audit seal failed" }', 0, `Audit chain heads not sealed on ${id}`);
}
