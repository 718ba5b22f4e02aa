/**
 * The infra's security controls as policy rules, named like cdk-nag's. Each rule reads the
 * declared resources of a whole stack (type, logical name, properties) and returns its
 * violations. The same module serves the offline tests (properties from the mocked synth) and
 * the Pulumi policy pack (properties from the engine), so it imports only plain data.
 */
import { apiMetricNames, METRIC_DIMENSIONS, metricsNamespace, outcomeMetrics, refusalMetrics, REQUESTS_METRIC } from '../../packages/core/src/api-metrics';
import { errorSpec, operationOutcome } from '../../packages/core/src/errors';
import { gatewayConfig } from '../../packages/core/src/gateway-config';
import { tableList } from '../../packages/core/src/tables';
import { routeList } from '../../packages/functions/src/routes';
import { SECURITY_HEADERS } from '../../packages/middleware/src/response-headers/index';
import {
  AUDIT_ANCHOR_RETENTION_DAYS_PRODUCTION, GATEWAY_RESPONSE_CODES, LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME, WAF_MANAGED_RULE_GROUPS,
  WAF_REDACTED_HEADERS, WILDCARD_RESOURCE_ACTIONS,
} from '../controls';

export interface PolicyResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

export interface PolicyContext {
  /** The SST stage (the Pulumi stack name). */
  stage: string;
}

export interface Rule {
  name: string;
  description: string;
  check(resources: readonly PolicyResource[], context: PolicyContext): string[];
}

/** Pulumi type tokens of the resources the rules read. */
export const RESOURCE_TYPES = {
  restApi: 'aws:apigateway/restApi:RestApi',
  stage: 'aws:apigateway/stage:Stage',
  methodSettings: 'aws:apigateway/methodSettings:MethodSettings',
  method: 'aws:apigateway/method:Method',
  resource: 'aws:apigateway/resource:Resource',
  response: 'aws:apigateway/response:Response',
  domainName: 'aws:apigateway/domainName:DomainName',
  usagePlan: 'aws:apigateway/usagePlan:UsagePlan',
  table: 'aws:dynamodb/table:Table',
  key: 'aws:kms/key:Key',
  fn: 'aws:lambda/function:Function',
  role: 'aws:iam/role:Role',
  logGroup: 'aws:cloudwatch/logGroup:LogGroup',
  alarm: 'aws:cloudwatch/metricAlarm:MetricAlarm',
  dashboard: 'aws:cloudwatch/dashboard:Dashboard',
  metricFilter: 'aws:cloudwatch/logMetricFilter:LogMetricFilter',
  topic: 'aws:sns/topic:Topic',
  webAcl: 'aws:wafv2/webAcl:WebAcl',
  webAclAssociation: 'aws:wafv2/webAclAssociation:WebAclAssociation',
  webAclLogging: 'aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration',
  bucket: 'aws:s3/bucket:Bucket',
  bucketObjectLock: 'aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration',
  bucketVersioning: 'aws:s3/bucketVersioning:BucketVersioning',
  bucketEncryption: 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  bucketPublicAccessBlock: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  bucketPolicy: 'aws:s3/bucketPolicy:BucketPolicy',
} as const;
const T = RESOURCE_TYPES;

type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- provider property bags

const ofType = (resources: readonly PolicyResource[], type: string): Array<PolicyResource & { props: Props }> =>
  resources.filter((r) => r.type === type);

interface AlarmedMetric { namespace: string; metricName: string; dimensions?: Record<string, string> }

/** The metrics alarms watch: their own, or each metric of their metric math. */
const alarmedMetrics = (alarms: ReadonlyArray<{ props: Props }>): AlarmedMetric[] => alarms.flatMap(({ props }) => (props.metricQueries
  ? (props.metricQueries as Props[]).flatMap((q) => (q.metric ? [q.metric as AlarmedMetric] : []))
  : [{ namespace: props.namespace, metricName: props.metricName, dimensions: props.dimensions } as AlarmedMetric]));

/** API Gateway's own log-delivery role (created once per account by SST); not a function role. */
const API_GATEWAY_ACCOUNT_ROLE = 'APIGatewayPushToCloudWatchLogsRole';

interface PolicyStatement { Sid?: string; Effect: string; Action: string | string[]; Resource: string | string[]; Principal?: unknown; Condition?: Props }

function statementsOf(policy: unknown): PolicyStatement[] {
  const doc = typeof policy === 'string' ? JSON.parse(policy) as { Statement?: PolicyStatement | PolicyStatement[] } : undefined;
  const statements = doc?.Statement ?? [];
  return Array.isArray(statements) ? statements : [statements];
}

const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The Allow statements of the functions' roles' inline policies, with the role's name. */
function functionAllows(resources: readonly PolicyResource[]): Array<{ role: string; actions: string[]; targets: string[] }> {
  const roles = new Map(ofType(resources, T.role).map((r) => [r.props.arn, r]));
  return ofType(resources, T.fn).flatMap((fn) => {
    const role = roles.get(fn.props.role);
    return ((role?.props.inlinePolicies as Props[] | undefined) ?? []).flatMap((inline) => statementsOf(inline.policy)
      .filter((s) => s.Effect === 'Allow')
      .map((s) => ({ role: role!.name, actions: asList(s.Action), targets: asList(s.Resource) })));
  });
}

/** The audit anchor bucket(s) (infra/audit-anchors.ts), by logical name as the audit table is. */
const anchorBuckets = (resources: readonly PolicyResource[]) => ofType(resources, T.bucket).filter((b) => b.name === 'AuditAnchors');
const ofBucket = (resources: readonly PolicyResource[], type: string, bucket: Props) => ofType(resources, type).find((r) => r.props.bucket === bucket.id);

/** HMAC keys: KMS cannot rotate them, and they serve the audit chain heads only. */
const isMacKey = (key: Props): boolean => key.keyUsage === 'GENERATE_VERIFY_MAC';

/** `/v1/Patient/{id}` for each API Gateway method, from the resource tree. */
function methodPaths(resources: readonly PolicyResource[]): Map<PolicyResource & { props: Props }, string> {
  const byId = new Map(ofType(resources, T.resource).map((r) => [r.props.id as string, r.props]));
  const pathOf = (id: string): string => {
    const node = byId.get(id);
    return node ? `${pathOf(node.parentId as string)}/${node.pathPart as string}` : '';
  };
  return new Map(ofType(resources, T.method).map((m) => [m, `${pathOf(m.props.resourceId as string) || '/'} ${m.props.httpMethod as string}`]));
}

const routeKey = (route: { method: string; path: string }): string => `${route.path} ${route.method}`;
const methodPathOf = (route: { method: string; path: string }): string => `${route.path.replace(/^\//, '')}/${route.method}`;

export const rules: Rule[] = [
  {
    name: 'APIGWCacheEnabledAndEncrypted',
    description: 'Every method setting encrypts the stage cache (GxP EU Annex 11); caching only on routes the manifest marks public and cacheable.',
    check(resources) {
      const violations: string[] = [];
      const settings = ofType(resources, T.methodSettings);
      for (const s of settings) {
        if (s.props.settings?.cacheDataEncrypted !== true) violations.push(`${s.name}: cacheDataEncrypted must be true`);
        const route = routeList.find((r) => methodPathOf(r) === s.props.methodPath);
        if (s.props.settings?.cachingEnabled && !route?.cacheTtlSeconds) violations.push(`${s.name}: caching enabled on ${s.props.methodPath}, which is not cacheable`);
      }
      for (const route of routeList.filter((r) => r.cacheTtlSeconds)) {
        const s = settings.find((m) => m.props.methodPath === methodPathOf(route));
        if (!s?.props.settings?.cachingEnabled || s.props.settings.cacheTtlInSeconds !== route.cacheTtlSeconds) {
          violations.push(`${route.id}: caching for ${route.cacheTtlSeconds} s is not set`);
        }
      }
      for (const stage of ofType(resources, T.stage)) {
        if (routeList.some((r) => r.cacheTtlSeconds) && stage.props.cacheClusterEnabled !== true) violations.push(`${stage.name}: cache cluster disabled`);
      }
      return violations;
    },
  },
  {
    name: 'APIGWAssociatedWithWAF',
    description: 'Every API stage is associated with a regional WAF web ACL of this stack.',
    check(resources) {
      const acls = new Set(ofType(resources, T.webAcl).filter((a) => a.props.scope === 'REGIONAL').map((a) => a.props.arn));
      const associations = ofType(resources, T.webAclAssociation);
      return ofType(resources, T.stage)
        .filter((stage) => !associations.some((a) => a.props.resourceArn === stage.props.arn && acls.has(a.props.webAclArn)))
        .map((stage) => `${stage.name}: no WAF web ACL associated`);
    },
  },
  {
    name: 'APIGWAccessLogging',
    description: 'Every stage writes JSON access logs to a log group of this stack, with the route template and never the raw path or query string.',
    check(resources) {
      const groups = new Set(ofType(resources, T.logGroup).map((g) => g.props.arn));
      const required = ['$context.requestId', '$context.identity.sourceIp', '$context.resourcePath', '$context.status', '$context.identity.apiKeyId'];
      return ofType(resources, T.stage).flatMap((stage) => {
        const settings = stage.props.accessLogSettings as Props | undefined;
        if (!settings || !groups.has(settings.destinationArn)) return [`${stage.name}: no access log group`];
        const format = String(settings.format ?? '');
        try {
          JSON.parse(format);
        } catch {
          return [`${stage.name}: access log format is not JSON`];
        }
        return [
          ...required.filter((v) => !format.includes(v)).map((v) => `${stage.name}: access log lacks ${v}`),
          ...['$context.path', '$context.querystring'].filter((v) => format.includes(`"${v}"`)).map((v) => `${stage.name}: access log records ${v} (patient data)`),
        ];
      });
    },
  },
  {
    name: 'APIGWExecutionLoggingNoDataTrace',
    description: 'Stage execution logging at ERROR with metrics, and never full request/response data.',
    check(resources) {
      const defaults = ofType(resources, T.methodSettings).filter((s) => s.props.methodPath === '*/*');
      const violations = ofType(resources, T.stage)
        .filter((stage) => !defaults.some((d) => d.props.restApi === stage.props.restApi && d.props.stageName === stage.props.stageName))
        .map((stage) => `${stage.name}: no stage-wide method settings`);
      for (const s of ofType(resources, T.methodSettings)) {
        if (s.props.settings?.dataTraceEnabled !== false) violations.push(`${s.name}: data trace must be off`);
        if (!['ERROR', 'INFO'].includes(s.props.settings?.loggingLevel)) violations.push(`${s.name}: execution logging off`);
        if (s.props.settings?.metricsEnabled !== true) violations.push(`${s.name}: metrics off`);
      }
      return violations;
    },
  },
  {
    name: 'APIGWXrayEnabled',
    description: 'Every stage traces with X-Ray.',
    check: (resources) => ofType(resources, T.stage).filter((s) => s.props.xrayTracingEnabled !== true).map((s) => `${s.name}: X-Ray off`),
  },
  {
    name: 'APIGWSSLEnabled',
    description: 'Custom domains accept TLS 1.2 or later only, and an API with one has the default execute-api endpoint disabled.',
    check(resources) {
      const domains = ofType(resources, T.domainName);
      return [
        ...domains.filter((d) => d.props.securityPolicy !== 'TLS_1_2').map((d) => `${d.name}: security policy must be TLS_1_2`),
        ...(domains.length > 0
          ? ofType(resources, T.restApi).filter((a) => a.props.disableExecuteApiEndpoint !== true).map((a) => `${a.name}: execute-api endpoint still enabled`)
          : []),
      ];
    },
  },
  {
    name: 'APIGWApiKeyRequired',
    description: 'Each route of the manifest exists, and requires an API key exactly when the manifest says so.',
    check(resources) {
      const methods = [...methodPaths(resources)];
      return routeList.flatMap((route) => {
        const found = methods.find(([, key]) => key === routeKey(route));
        if (!found) return [`${route.id}: no API Gateway method for ${routeKey(route)}`];
        return found[0].props.apiKeyRequired === route.apiKey ? [] : [`${route.id}: apiKeyRequired must be ${route.apiKey}`];
      });
    },
  },
  {
    name: 'APIGWMethodThrottling',
    description: 'Every method setting throttles at most at the stage limits of the gateway config.',
    check(resources) {
      const { rateLimit, burstLimit } = gatewayConfig.stageThrottle;
      return ofType(resources, T.methodSettings)
        .filter((s) => !(s.props.settings?.throttlingRateLimit > 0 && s.props.settings.throttlingRateLimit <= rateLimit
          && s.props.settings.throttlingBurstLimit > 0 && s.props.settings.throttlingBurstLimit <= burstLimit))
        .map((s) => `${s.name}: throttling missing or above the stage limit`);
    },
  },
  {
    name: 'UsagePlanThrottleAndQuota',
    description: 'Each usage plan of the gateway config exists on the stage with its throttle and quota.',
    check(resources) {
      const plans = ofType(resources, T.usagePlan);
      const violations = plans.filter((p) => !p.props.throttleSettings || !p.props.quotaSettings).map((p) => `${p.name}: throttle or quota missing`);
      for (const [name, plan] of Object.entries(gatewayConfig.usagePlans)) {
        const match = plans.find((p) => p.props.throttleSettings?.rateLimit === plan.throttle.rateLimit
          && p.props.throttleSettings?.burstLimit === plan.throttle.burstLimit
          && p.props.quotaSettings?.limit === plan.quota.limit && p.props.quotaSettings?.period === plan.quota.period
          && (p.props.apiStages as Props[] | undefined)?.length);
        if (!match) violations.push(`usage plan ${name}: not declared with the configured throttle and quota`);
      }
      return violations;
    },
  },
  {
    name: 'GatewayResponsesOperationOutcome',
    description: 'Every gateway response type answers with the catalogue OperationOutcome, its status and the security headers.',
    check(resources) {
      const responses = ofType(resources, T.response);
      return ofType(resources, T.restApi).flatMap((api) => Object.entries(GATEWAY_RESPONSE_CODES).flatMap(([type, code]) => {
        const response = responses.find((r) => r.props.restApiId === api.props.id && r.props.responseType === type);
        if (!response) return [`${api.name}: gateway response ${type} not customised`];
        const body = JSON.stringify(operationOutcome(code));
        const problems: string[] = [];
        if (response.props.statusCode !== String(errorSpec(code).status)) problems.push('status');
        for (const contentType of ['application/json', 'application/fhir+json']) {
          if (response.props.responseTemplates?.[contentType] !== body) problems.push(`${contentType} body`);
        }
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
          if (!value.includes("'") && response.props.responseParameters?.[`gatewayresponse.header.${name}`] !== `'${value}'`) problems.push(`header ${name}`);
        }
        return problems.map((p) => `${response.name}: ${p} differs from ${code}`);
      }));
    },
  },
  {
    name: 'DynamoDBPITR',
    description: 'Every table has point-in-time recovery; on production, deletion protection too.',
    check(resources, { stage }) {
      return ofType(resources, T.table).flatMap((t) => [
        ...(t.props.pointInTimeRecovery?.enabled === true ? [] : [`${t.name}: point-in-time recovery off`]),
        ...(stage === 'production' && t.props.deletionProtectionEnabled !== true ? [`${t.name}: deletion protection off on production`] : []),
      ]);
    },
  },
  {
    name: 'DynamoDBEncryptedCMK',
    description: 'Every table of tables.ts exists, encrypted with a customer-managed key of this stack.',
    check(resources) {
      const keys = new Set(ofType(resources, T.key).map((k) => k.props.arn));
      const tables = ofType(resources, T.table);
      return [
        ...tables.filter((t) => t.props.serverSideEncryption?.enabled !== true || !keys.has(t.props.serverSideEncryption?.kmsKeyArn))
          .map((t) => `${t.name}: not encrypted with a customer-managed key`),
        ...tableList.filter((d) => !tables.some((t) => t.props.hashKey === d.partitionKey && t.props.rangeKey === d.sortKey && t.name === `${d.name}Table`))
          .map((d) => `${d.name}: table not declared`),
      ];
    },
  },
  {
    name: 'KMSKeyRotation',
    description: 'Every customer-managed encryption key rotates automatically (KMS cannot rotate HMAC keys).',
    check: (resources) => ofType(resources, T.key).filter((k) => !isMacKey(k.props) && k.props.enableKeyRotation !== true).map((k) => `${k.name}: rotation off`),
  },
  {
    name: 'AuditMacKeyGenerateOnly',
    description: 'The audit chain heads are sealed with an HMAC key, which encrypts nothing, and function roles may only GenerateMac with it.',
    check(resources) {
      const macKeys = ofType(resources, T.key).filter((k) => isMacKey(k.props) && String(k.props.customerMasterKeySpec).startsWith('HMAC_'));
      const macArns = new Set(macKeys.map((k) => k.props.arn));
      const violations = macKeys.length === 0 ? ['no HMAC key seals the audit chain heads'] : [];
      for (const { role, actions, targets } of functionAllows(resources)) {
        if (!targets.some((t) => macArns.has(t))) continue;
        for (const action of actions.filter((a) => a !== 'kms:GenerateMac')) violations.push(`${role}: ${action} on the audit MAC key`);
      }
      const generating = new Set(functionAllows(resources).filter((s) => s.actions.includes('kms:GenerateMac') && s.targets.some((t) => macArns.has(t))).map((s) => s.role));
      if (macKeys.length > 0 && generating.size === 0) violations.push('no function may seal audit chain heads');
      return violations;
    },
  },
  {
    name: 'S3AuditAnchorsObjectLock',
    description: `The audit anchor bucket keeps every object under Object Lock in compliance mode (${AUDIT_ANCHOR_RETENTION_DAYS_PRODUCTION} days on production), with versioning on.`,
    check(resources, { stage }) {
      const buckets = anchorBuckets(resources);
      if (buckets.length === 0) return ['AuditAnchors: audit anchor bucket not declared'];
      return buckets.flatMap((b) => {
        const retention = ofBucket(resources, T.bucketObjectLock, b.props)?.props.rule?.defaultRetention as Props | undefined;
        const days = Number(retention?.days ?? 0) + Number(retention?.years ?? 0) * 365;
        return [
          ...(b.props.objectLockEnabled === true ? [] : [`${b.name}: Object Lock not enabled`]),
          ...(retention?.mode === 'COMPLIANCE' && days > 0 ? [] : [`${b.name}: default retention not in compliance mode`]),
          ...(stage === 'production' && days < AUDIT_ANCHOR_RETENTION_DAYS_PRODUCTION ? [`${b.name}: retention under ${AUDIT_ANCHOR_RETENTION_DAYS_PRODUCTION} days on production`] : []),
          ...(ofBucket(resources, T.bucketVersioning, b.props)?.props.versioningConfiguration?.status === 'Enabled' ? [] : [`${b.name}: versioning not enabled`]),
        ];
      });
    },
  },
  {
    name: 'S3AuditAnchorsWriteOnce',
    description: 'The audit anchor bucket is encrypted with a customer-managed key, private, TLS-only and write-once (no put without If-None-Match), and functions may only put objects in it.',
    check(resources) {
      const keys = new Set(ofType(resources, T.key).map((k) => k.props.arn));
      return anchorBuckets(resources).flatMap((b) => {
        const rule = (ofBucket(resources, T.bucketEncryption, b.props)?.props.rules as Props[] | undefined)?.[0]?.applyServerSideEncryptionByDefault as Props | undefined;
        const block = ofBucket(resources, T.bucketPublicAccessBlock, b.props)?.props;
        const denies = statementsOf(ofBucket(resources, T.bucketPolicy, b.props)?.props.policy).filter((s) => s.Effect === 'Deny');
        const denied = (action: string, test: string, key: string, value: string) => denies.some((s) => asList(s.Action).includes(action)
          && String((s.Condition?.[test] as Props | undefined)?.[key]) === value);
        return [
          ...(rule?.sseAlgorithm === 'aws:kms' && keys.has(rule.kmsMasterKeyId) ? [] : [`${b.name}: not encrypted with a customer-managed key`]),
          ...(['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'].every((k) => block?.[k] === true) ? [] : [`${b.name}: public access not blocked`]),
          ...(denied('s3:*', 'Bool', 'aws:SecureTransport', 'false') ? [] : [`${b.name}: plain HTTP not refused`]),
          ...(denied('s3:PutObject', 'Null', 's3:if-none-match', 'true') ? [] : [`${b.name}: not write-once (puts without If-None-Match allowed)`]),
          ...functionAllows(resources)
            .filter((s) => s.targets.some((t) => t === b.props.arn || t.startsWith(`${String(b.props.arn)}/`)))
            .flatMap((s) => s.actions.filter((a) => a !== 's3:PutObject').map((a) => `${s.role}: ${a} on the audit anchor bucket`)),
        ];
      });
    },
  },
  {
    name: 'LambdaLeastPrivilege',
    description: 'Function roles: trusted by Lambda only, no managed policies, no wildcard actions, "*" only for X-Ray, and the audit and audit seals tables append-only.',
    check(resources) {
      const roles = new Map(ofType(resources, T.role).map((r) => [r.props.arn, r]));
      const auditTables = new Set(ofType(resources, T.table).filter((t) => t.name === 'AuditTable' || t.name === 'AuditSealsTable').map((t) => t.props.arn));
      return ofType(resources, T.fn).flatMap((fn) => {
        const role = roles.get(fn.props.role);
        if (!role || role.name === API_GATEWAY_ACCOUNT_ROLE) return [`${fn.name}: role not declared in this stack`];
        const violations: string[] = [];
        for (const s of statementsOf(role.props.assumeRolePolicy)) {
          if (JSON.stringify(s.Principal) !== JSON.stringify({ Service: 'lambda.amazonaws.com' })) violations.push(`${role.name}: trusted by ${JSON.stringify(s.Principal)}`);
        }
        if ((role.props.managedPolicyArns as string[] | undefined)?.length) violations.push(`${role.name}: managed policies attached`);
        for (const inline of (role.props.inlinePolicies as Props[] | undefined) ?? []) {
          for (const s of statementsOf(inline.policy)) {
            if (s.Effect !== 'Allow') continue;
            const actions = asList(s.Action);
            const targets = asList(s.Resource);
            for (const action of actions.filter((a) => a.includes('*'))) violations.push(`${role.name}: wildcard action ${action}`);
            if (targets.includes('*') && actions.some((a) => !WILDCARD_RESOURCE_ACTIONS.has(a))) violations.push(`${role.name}: ${actions.join(',')} on "*"`);
            if (targets.some((t) => auditTables.has(t)) && actions.some((a) => a.startsWith('dynamodb:') && a !== 'dynamodb:PutItem' && a !== 'dynamodb:Query' && a !== 'dynamodb:GetItem')) {
              violations.push(`${role.name}: may change or delete audit records`);
            }
          }
        }
        return violations;
      });
    },
  },
  {
    name: 'LambdaRuntimeAndTimeout',
    description: 'Functions run the pinned Node.js runtime on arm64, with explicit memory, a timeout under the 29 s integration limit, and active tracing.',
    check(resources) {
      const limit = gatewayConfig.limits.integrationTimeoutMs / 1000;
      return ofType(resources, T.fn).flatMap((fn) => [
        ...(fn.props.runtime === LAMBDA_RUNTIME ? [] : [`${fn.name}: runtime ${fn.props.runtime}`]),
        ...(JSON.stringify(fn.props.architectures) === JSON.stringify([LAMBDA_ARCHITECTURE]) ? [] : [`${fn.name}: architecture must be ${LAMBDA_ARCHITECTURE}`]),
        ...(fn.props.timeout > 0 && fn.props.timeout < limit ? [] : [`${fn.name}: timeout must be under ${limit} s`]),
        ...(fn.props.memorySize > 0 ? [] : [`${fn.name}: memory not set`]),
        ...(fn.props.tracingConfig?.mode === 'Active' ? [] : [`${fn.name}: X-Ray tracing not active`]),
      ]);
    },
  },
  {
    name: 'LambdaNoSecretsInEnvironment',
    description: 'Function environments name secrets and keys by ARN only; no secret values.',
    check(resources) {
      // SST_KEY decrypts SST's bundled link file, which holds only the app name and stage here.
      const secretLike = /SECRET|PASSWORD|TOKEN|PRIVATE|_KEY$/;
      return ofType(resources, T.fn).flatMap((fn) => Object.entries((fn.props.environment?.variables ?? {}) as Record<string, string>)
        .filter(([name, value]) => name !== 'SST_KEY' && secretLike.test(name.replace(/_ARN$/, '')) && !String(value).startsWith('arn:'))
        .map(([name]) => `${fn.name}: ${name} holds a value, not an ARN`));
    },
  },
  {
    name: 'LogRetention',
    description: 'Every log group has a retention period and is encrypted with a customer-managed key.',
    check(resources) {
      const keys = new Set(ofType(resources, T.key).map((k) => k.props.arn));
      return ofType(resources, T.logGroup).flatMap((g) => [
        ...(g.props.retentionInDays > 0 ? [] : [`${g.name}: no retention`]),
        ...(keys.has(g.props.kmsKeyId) ? [] : [`${g.name}: not encrypted with a customer-managed key`]),
      ]);
    },
  },
  {
    name: 'WAFManagedRules',
    description: 'Web ACLs run the AWS managed rule groups, the per-IP rate rule and the body-size rule of the gateway config, without sampled requests.',
    check(resources) {
      return ofType(resources, T.webAcl).flatMap((acl) => {
        const rules = (acl.props.rules ?? []) as Props[];
        const statements = rules.map((r) => r.statement ?? {});
        const violations = WAF_MANAGED_RULE_GROUPS
          .filter((group) => !rules.some((r) => r.statement?.managedRuleGroupStatement?.name === group && r.overrideAction?.none))
          .map((group) => `${acl.name}: managed rule group ${group} missing or not enforced`);
        if (!statements.some((s) => s.rateBasedStatement?.limit === gatewayConfig.waf.ratePerIp && s.rateBasedStatement?.aggregateKeyType === 'IP')) {
          violations.push(`${acl.name}: no per-IP rate rule at ${gatewayConfig.waf.ratePerIp}`);
        }
        if (!statements.some((s) => s.sizeConstraintStatement?.fieldToMatch?.body && s.sizeConstraintStatement.size <= gatewayConfig.waf.maxBodyBytes)) {
          violations.push(`${acl.name}: no body-size rule`);
        }
        for (const config of [acl.props.visibilityConfig, ...rules.map((r) => r.visibilityConfig)]) {
          if (config?.sampledRequestsEnabled !== false) violations.push(`${acl.name}: sampled requests (with headers in clear) enabled for ${config?.metricName}`);
        }
        return violations;
      });
    },
  },
  {
    name: 'WAFLoggingRedacted',
    description: 'Every web ACL logs to this stack, with credentials, cookies and query strings redacted.',
    check(resources) {
      const logging = ofType(resources, T.webAclLogging);
      return ofType(resources, T.webAcl).flatMap((acl) => {
        const config = logging.find((l) => l.props.resourceArn === acl.props.arn);
        if (!config) return [`${acl.name}: not logged`];
        const redacted = (config.props.redactedFields ?? []) as Props[];
        return [
          ...WAF_REDACTED_HEADERS.filter((h) => !redacted.some((f) => f.singleHeader?.name === h)).map((h) => `${acl.name}: header ${h} not redacted`),
          ...(redacted.some((f) => f.queryString) ? [] : [`${acl.name}: query string not redacted`]),
        ];
      });
    },
  },
  {
    name: 'AlarmsWired',
    description: 'Alarms for gateway errors and latency, WAF blocks, throttling, audit seal failures, and per function its errors, throttles, authentication failures, scope refusals, 5xx rate, audit write failures and throttled dependencies, all notifying an encrypted topic.',
    check(resources) {
      const topics = new Set(ofType(resources, T.topic).filter((t) => t.props.kmsMasterKeyId).map((t) => t.props.arn));
      const alarms = ofType(resources, T.alarm);
      const violations = alarms
        .filter((a) => !(a.props.alarmActions as string[] | undefined)?.length || !(a.props.alarmActions as string[]).every((arn) => topics.has(arn)))
        .map((a) => `${a.name}: does not notify an encrypted topic of this stack`);
      const has = (namespace: string, metricName: string, dimension?: [string, unknown]): boolean => alarms.some((a) => a.props.namespace === namespace
        && a.props.metricName === metricName && (!dimension || a.props.dimensions?.[dimension[0]] === dimension[1]));
      for (const metric of ['5XXError', '4XXError', 'Latency']) if (!has('AWS/ApiGateway', metric)) violations.push(`no API Gateway ${metric} alarm`);
      if (!has('AWS/WAFV2', 'BlockedRequests')) violations.push('no WAF BlockedRequests alarm');
      for (const fn of ofType(resources, T.fn)) {
        for (const metric of ['Errors', 'Throttles']) if (!has('AWS/Lambda', metric, ['FunctionName', fn.props.name])) violations.push(`${fn.name}: no ${metric} alarm`);
      }
      // The functions' own metrics, per route (AlarmsOnEmittedMetrics checks they are emitted).
      const onRoute = (metricName: string, route: string) => alarmedMetrics(alarms).some((m) => m.metricName === metricName && m.dimensions?.route === route);
      for (const { id } of routeList) {
        for (const refusal of ['authentication-failed', 'scope-denied', 'audit-write-failed', 'throttled'] as const) {
          if (!onRoute(refusalMetrics[refusal], id)) violations.push(`${id}: no ${refusalMetrics[refusal]} alarm`);
        }
        const rate = alarms.some((a) => {
          const names = (a.props.metricQueries as Props[] | undefined ?? []).filter((q) => q.metric?.dimensions?.route === id).map((q) => q.metric.metricName);
          return names.includes(outcomeMetrics['server-error']) && names.includes(REQUESTS_METRIC);
        });
        if (!rate) violations.push(`${id}: no 5xx rate alarm`);
      }
      const filters = ofType(resources, T.metricFilter);
      const alarmed = (pattern: string): boolean => filters.some((f) => String(f.props.pattern).includes(pattern)
        && alarms.some((a) => a.props.metricName === f.props.metricTransformation?.name && a.props.namespace === f.props.metricTransformation?.namespace));
      for (const pattern of ['"audit seal failed"', '$.status = 429']) if (!alarmed(pattern)) violations.push(`no alarm on log lines matching ${pattern}`);
      return violations;
    },
  },
  {
    name: 'AlarmsOnEmittedMetrics',
    description: 'Every alarm and dashboard graph on a metric outside AWS namespaces names one the functions emit (packages/core/src/api-metrics.ts), with their dimensions, in their namespace, or one a log metric filter of this stack counts.',
    check(resources, { stage }) {
      const filters = ofType(resources, T.metricFilter).map((f) => f.props.metricTransformation as Props);
      const routeIds = new Set(routeList.map((r) => r.id));
      const violations = ofType(resources, T.alarm).flatMap((alarm) => alarmedMetrics([alarm]).flatMap((m) => {
        if (String(m.namespace).startsWith('AWS/')) return [];
        if (filters.some((f) => f.name === m.metricName && f.namespace === m.namespace)) return [];
        if (!(apiMetricNames as readonly string[]).includes(m.metricName)) return [`${alarm.name}: ${m.metricName} is not a metric the functions emit`];
        const dimensions = m.dimensions ?? {};
        if (Object.keys(dimensions).sort().join() !== [...METRIC_DIMENSIONS].sort().join()) return [`${alarm.name}: dimensions ${Object.keys(dimensions).join(', ')} are not the emitted ${METRIC_DIMENSIONS.join(', ')}`];
        if (!routeIds.has(dimensions.route ?? '')) return [`${alarm.name}: route ${dimensions.route} is not in the manifest`];
        if (m.namespace !== metricsNamespace(dimensions.service ?? '', stage)) return [`${alarm.name}: namespace ${m.namespace} is not where ${dimensions.service} emits`];
        return [];
      }));
      for (const dashboard of ofType(resources, T.dashboard)) {
        for (const [, name] of String(dashboard.props.dashboardBody).matchAll(/MetricName=\\?"([^"\\]+)\\?"/g)) {
          if (!(apiMetricNames as readonly string[]).includes(name as string)) violations.push(`${dashboard.name}: graphs ${name}, not a metric the functions emit`);
        }
      }
      return violations;
    },
  },
];

/** All violations of all rules, prefixed with the rule name. */
export function evaluate(resources: readonly PolicyResource[], context: PolicyContext): string[] {
  return rules.flatMap((rule) => rule.check(resources, context).map((v) => `${rule.name}: ${v}`));
}
