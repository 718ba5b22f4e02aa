/**
 * Every log group of the stack: KMS-encrypted with the logs key, with the stage's retention.
 * The same key encrypts the alarm topic, so CloudWatch alarms may use it too.
 */
import { awsContext, customerManagedKey } from './keys';
import { logRetentionDays } from './stage';

const { region, accountId, partition } = awsContext;

export const logsKey = customerManagedKey('LogsKey', 'Encrypts the API log groups and the alarm topic', [
  {
    sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
    service: $interpolate`logs.${region}.amazonaws.com`,
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': $interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:*` } },
  },
  {
    sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
    service: 'cloudwatch.amazonaws.com',
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
  },
]);

export function encryptedLogGroup(name: string, physicalName: $util.Input<string>): aws.cloudwatch.LogGroup {
  return new aws.cloudwatch.LogGroup(name, { name: physicalName, retentionInDays: logRetentionDays, kmsKeyId: logsKey.arn });
}
