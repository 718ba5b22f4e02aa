/**
 * The policy rules (infra/policy-pack/rules.ts) pass on the real synth, and each one fails on
 * a variant of the stack broken, by a harness-side stack transformation, in the way that rule
 * guards against. The infra code carries no test switches. Breakages of different resource
 * types and rules share a synth (each synth takes a second or two); each test still asserts
 * the specific violation its own breakage causes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_TYPES, rules, type PolicyContext, type PolicyResource } from '../../infra/policy-pack/rules.js';
import { breakAll, policyResources, type PropsChange } from './harness/policy-input.js';
import { synth } from './harness/synth.js';

const T = RESOURCE_TYPES;

type Props = Record<string, unknown>;
const breaking = (type: string, change: PropsChange) => ({ type, change });
const settingsWith = (change: Props) => breaking(T.methodSettings, (p) => ({ ...p, settings: { ...(p.settings as Props), ...change } }));
const isFunctionRole = (name: string): boolean => name.endsWith('HandlerRole');
const functionRole = (change: Props) => breaking(T.role, (p, name) => (isFunctionRole(name) ? { ...p, ...change } : p));
const inlinePolicy = (statement: Props) => [{ name: 'inline', policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) }];

/** The audit MAC key as the mocks name it. */
const auditMacKeyArn = 'arn:aws:kms:ap-southeast-2:123456789012:key/AuditMacKey';

/** Deploy-time options that make the synth include a custom domain (for the TLS rule). */
const withDomain = { HEALTH_API_DOMAIN: 'fhir.example.org', HEALTH_API_CERT_ARN: 'arn:aws:acm:ap-southeast-2:123456789012:certificate/test' };

interface Variant {
  rule: string;
  broken: string;
  breakage: { type: string; change: PropsChange };
  env?: Record<string, string>;
  stage?: string;
  /** A fragment of the violation the breakage must cause. */
  expected: string;
}

const variants: Variant[] = [
  { rule: 'APIGWCacheEnabledAndEncrypted', broken: 'stage cache unencrypted', breakage: settingsWith({ cacheDataEncrypted: false }), expected: 'cacheDataEncrypted must be true' },
  { rule: 'APIGWCacheEnabledAndEncrypted', broken: 'caching on authenticated routes', breakage: settingsWith({ cachingEnabled: true, cacheTtlInSeconds: 300 }), expected: 'which is not cacheable' },
  { rule: 'APIGWAssociatedWithWAF', broken: 'WAF associated with another stage', breakage: breaking(T.webAclAssociation, (p) => ({ ...p, resourceArn: 'arn:aws:apigateway:ap-southeast-2::/restapis/other/stages/ci' })), expected: 'no WAF web ACL associated' },
  { rule: 'APIGWAccessLogging', broken: 'access log records the raw path', breakage: breaking(T.stage, (p, _, output) => ({ ...p, accessLogSettings: output(p.accessLogSettings).apply((settings: Props) => ({ ...settings, format: '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","resourcePath":"$context.resourcePath","status":"$context.status","apiKeyId":"$context.identity.apiKeyId","path":"$context.path"}' })) })), expected: 'records $context.path' },
  { rule: 'APIGWAccessLogging', broken: 'no access log', breakage: breaking(T.stage, (p) => ({ ...p, accessLogSettings: undefined })), expected: 'no access log group' },
  { rule: 'APIGWExecutionLoggingNoDataTrace', broken: 'data trace on', breakage: settingsWith({ dataTraceEnabled: true }), expected: 'data trace must be off' },
  { rule: 'APIGWXrayEnabled', broken: 'stage tracing off', breakage: breaking(T.stage, (p) => ({ ...p, xrayTracingEnabled: false })), expected: 'X-Ray off' },
  { rule: 'APIGWSSLEnabled', broken: 'custom domain allowing TLS 1.0', env: withDomain, breakage: breaking(T.domainName, (p) => ({ ...p, securityPolicy: 'TLS_1_0' })), expected: 'TLS_1_2' },
  { rule: 'APIGWApiKeyRequired', broken: 'no API key on any method', breakage: breaking(T.method, (p) => ({ ...p, apiKeyRequired: false })), expected: 'apiKeyRequired must be true' },
  { rule: 'APIGWMethodThrottling', broken: 'method throttle above the stage limit', breakage: settingsWith({ throttlingRateLimit: 1_000_000 }), expected: 'above the stage limit' },
  { rule: 'UsagePlanThrottleAndQuota', broken: 'usage plans without quota', breakage: breaking(T.usagePlan, (p) => ({ ...p, quotaSettings: undefined })), expected: 'throttle or quota missing' },
  { rule: 'GatewayResponsesOperationOutcome', broken: 'API Gateway default bodies', breakage: breaking(T.response, (p) => ({ ...p, responseTemplates: { 'application/json': '{"message":$context.error.messageString}' } })), expected: 'body differs' },
  { rule: 'GatewayResponsesOperationOutcome', broken: 'security headers dropped', breakage: breaking(T.response, (p) => ({ ...p, responseParameters: {} })), expected: 'header Strict-Transport-Security' },
  { rule: 'DynamoDBPITR', broken: 'point-in-time recovery off', breakage: breaking(T.table, (p) => ({ ...p, pointInTimeRecovery: { enabled: false } })), expected: 'point-in-time recovery off' },
  { rule: 'DynamoDBPITR', broken: 'production tables without deletion protection', stage: 'production', breakage: breaking(T.table, (p) => ({ ...p, deletionProtectionEnabled: false })), expected: 'deletion protection off on production' },
  { rule: 'DynamoDBEncryptedCMK', broken: 'tables on the AWS-owned key', breakage: breaking(T.table, (p) => ({ ...p, serverSideEncryption: { enabled: false } })), expected: 'not encrypted with a customer-managed key' },
  { rule: 'KMSKeyRotation', broken: 'key rotation off', breakage: breaking(T.key, (p) => ({ ...p, enableKeyRotation: false })), expected: 'rotation off' },
  { rule: 'AuditMacKeyGenerateOnly', broken: 'functions may also verify MACs with the audit key', breakage: functionRole({ inlinePolicies: inlinePolicy({ Effect: 'Allow', Action: ['kms:GenerateMac', 'kms:VerifyMac'], Resource: [auditMacKeyArn] }) }), expected: 'kms:VerifyMac on the audit MAC key' },
  { rule: 'AuditMacKeyGenerateOnly', broken: 'the audit key made an encryption key', breakage: breaking(T.key, (p) => (p.keyUsage === 'GENERATE_VERIFY_MAC' ? { ...p, keyUsage: 'ENCRYPT_DECRYPT', customerMasterKeySpec: 'SYMMETRIC_DEFAULT' } : p)), expected: 'no HMAC key' },
  { rule: 'S3AuditAnchorsObjectLock', broken: 'anchors in governance mode', breakage: breaking(T.bucketObjectLock, (p) => ({ ...p, rule: { defaultRetention: { mode: 'GOVERNANCE', days: 1 } } })), expected: 'not in compliance mode' },
  { rule: 'S3AuditAnchorsObjectLock', broken: 'anchor versioning suspended', breakage: breaking(T.bucketVersioning, (p) => ({ ...p, versioningConfiguration: { status: 'Suspended' } })), expected: 'versioning not enabled' },
  { rule: 'S3AuditAnchorsObjectLock', broken: 'production anchors kept a day', stage: 'production', breakage: breaking(T.bucketObjectLock, (p) => ({ ...p, rule: { defaultRetention: { mode: 'COMPLIANCE', days: 1 } } })), expected: 'retention under 3653 days on production' },
  { rule: 'S3AuditAnchorsWriteOnce', broken: 'anchors on the S3-owned key', breakage: breaking(T.bucketEncryption, (p) => ({ ...p, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] })), expected: 'not encrypted with a customer-managed key' },
  { rule: 'S3AuditAnchorsWriteOnce', broken: 'anchors may be overwritten', breakage: breaking(T.bucketPolicy, (p, _, output) => ({ ...p, policy: output(p.policy).apply((policy: string) => JSON.stringify({ Version: '2012-10-17', Statement: (JSON.parse(policy) as { Statement: Props[] }).Statement.filter((st) => st.Sid !== 'WriteOnce') })) })), expected: 'not write-once' },
  { rule: 'S3AuditAnchorsWriteOnce', broken: 'functions may delete anchors', breakage: functionRole({ inlinePolicies: inlinePolicy({ Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: ['arn:aws:s3:::secure-health-api-ci-audit-anchors/anchors/*'] }) }), expected: 's3:DeleteObject on the audit anchor bucket' },
  { rule: 'LambdaLeastPrivilege', broken: 'dynamodb:* on every table', breakage: functionRole({ inlinePolicies: inlinePolicy({ Effect: 'Allow', Action: ['dynamodb:*'], Resource: ['*'] }) }), expected: 'wildcard action dynamodb:*' },
  { rule: 'LambdaLeastPrivilege', broken: 'AWS managed policy attached', breakage: functionRole({ managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] }), expected: 'managed policies attached' },
  { rule: 'LambdaLeastPrivilege', broken: 'role also trusted by the account root (SST 4.17 default)', breakage: functionRole({ assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['lambda.amazonaws.com'], AWS: ['arn:aws:iam::123456789012:root'] } }] }) }), expected: 'trusted by' },
  { rule: 'LambdaLeastPrivilege', broken: 'audit records deletable', breakage: functionRole({ inlinePolicies: inlinePolicy({ Effect: 'Allow', Action: ['dynamodb:DeleteItem'], Resource: ['arn:aws:dynamodb:ap-southeast-2:123456789012:table/AuditTable'] }) }), expected: 'may change or delete audit records' },
  { rule: 'LambdaRuntimeAndTimeout', broken: 'timeout at the gateway limit', breakage: breaking(T.fn, (p) => ({ ...p, timeout: 29 })), expected: 'timeout must be under 29 s' },
  { rule: 'LambdaRuntimeAndTimeout', broken: 'older runtime, x86, no tracing', breakage: breaking(T.fn, (p) => ({ ...p, runtime: 'nodejs18.x', architectures: ['x86_64'], tracingConfig: undefined })), expected: 'runtime nodejs18.x' },
  { rule: 'LambdaNoSecretsInEnvironment', broken: 'blind-index key in the environment', breakage: breaking(T.fn, (p) => ({ ...p, environment: { variables: { BLIND_INDEX_SECRET: 'c2VjcmV0' } } })), expected: 'BLIND_INDEX_SECRET holds a value' },
  { rule: 'LogRetention', broken: 'log groups kept forever, unencrypted', breakage: breaking(T.logGroup, (p) => ({ ...p, retentionInDays: undefined, kmsKeyId: undefined })), expected: 'no retention' },
  { rule: 'WAFManagedRules', broken: 'SQLi rule group removed', breakage: breaking(T.webAcl, (p) => ({ ...p, rules: (p.rules as Props[]).filter((r) => r.name !== 'AWSManagedRulesSQLiRuleSet') })), expected: 'AWSManagedRulesSQLiRuleSet missing' },
  { rule: 'WAFManagedRules', broken: 'sampled requests on', breakage: breaking(T.webAcl, (p) => ({ ...p, visibilityConfig: { ...(p.visibilityConfig as Props), sampledRequestsEnabled: true } })), expected: 'sampled requests' },
  { rule: 'WAFLoggingRedacted', broken: 'nothing redacted', breakage: breaking(T.webAclLogging, (p) => ({ ...p, redactedFields: [] })), expected: 'header authorization not redacted' },
  { rule: 'AlarmsWired', broken: 'alarms notify nobody', breakage: breaking(T.alarm, (p) => ({ ...p, alarmActions: [] })), expected: 'does not notify' },
  { rule: 'AlarmsWired', broken: 'alarm topic unencrypted', breakage: breaking(T.topic, (p) => ({ ...p, kmsMasterKeyId: undefined })), expected: 'does not notify an encrypted topic' },
  { rule: 'AlarmsWired', broken: 'audit write failures not alarmed', breakage: breaking(T.alarm, (p) => (p.metricName === 'AuditWriteFailed' ? { ...p, metricName: 'Requests' } : p)), expected: 'metadata: no AuditWriteFailed alarm' },
  { rule: 'AlarmsOnEmittedMetrics', broken: 'an alarm on a metric no function emits', breakage: breaking(T.alarm, (p) => (p.metricName === 'AuthenticationFailed' ? { ...p, metricName: 'AuthFailures' } : p)), expected: 'AuthFailures is not a metric the functions emit' },
  { rule: 'AlarmsOnEmittedMetrics', broken: 'an alarm with a client id dimension the functions never add', breakage: breaking(T.alarm, (p) => (p.metricName === 'ScopeDenied' ? { ...p, dimensions: { ...(p.dimensions as Props), clientId: 'c1' } } : p)), expected: 'are not the emitted service, route' },
  { rule: 'AlarmsOnEmittedMetrics', broken: 'a dashboard graph of a metric no function emits', breakage: breaking(T.dashboard, (p, _, output) => ({ ...p, dashboardBody: output(p.dashboardBody).apply((body: string) => body.replace('MetricName=\\"Requests\\"', 'MetricName=\\"Calls\\"')) })), expected: 'graphs Calls' },
];

const ruleNamed = (name: string) => rules.find((r) => r.name === name)!;
const check = (name: string, resources: PolicyResource[], context: PolicyContext) => ruleNamed(name).check(resources, context);

describe('policy rules on the real synth', () => {
  const synths: Record<string, PolicyResource[]> = {};
  beforeAll(async () => {
    synths.ci = policyResources(await synth({ stage: 'ci' }));
    synths.production = policyResources(await synth({ stage: 'production', env: withDomain }));
  });

  it.each(rules.map((r) => r.name))('%s passes on stage ci', (name) => {
    expect(check(name, synths.ci!, { stage: 'ci' })).toEqual([]);
  });

  it.each(rules.map((r) => r.name))('%s passes on stage production with a custom domain', (name) => {
    expect(check(name, synths.production!, { stage: 'production' })).toEqual([]);
  });

  it('has a broken variant for every rule', () => {
    expect(new Set(variants.map((v) => v.rule))).toEqual(new Set(rules.map((r) => r.name)));
  });
});

/** Variants that can share a synth: same stage and options, no resource type or rule twice. */
function groups(all: readonly Variant[]): Variant[][] {
  const result: Variant[][] = [];
  for (const variant of all) {
    const fits = result.find((g) => g[0]!.stage === variant.stage && g[0]!.env === variant.env
      && g.every((v) => v.breakage.type !== variant.breakage.type && v.rule !== variant.rule));
    if (fits) fits.push(variant);
    else result.push([variant]);
  }
  return result;
}

describe('policy rules on broken variants', () => {
  const violations = new Map<Variant, string[]>();
  beforeAll(async () => {
    for (const group of groups(variants)) {
      const stage = group[0]!.stage ?? 'ci';
      const env = group[0]!.env;
      const resources = policyResources(await synth({ stage, transform: breakAll(group.map((v) => v.breakage)), ...(env ? { env } : {}) }));
      for (const variant of group) violations.set(variant, check(variant.rule, resources, { stage }));
    }
  }, 180_000);

  it.each(variants)('$rule fails when $broken', (variant) => {
    expect(violations.get(variant)!.join('\n')).toContain(variant.expected);
  });
});
