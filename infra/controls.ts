/**
 * Settings that both the infra declares and the policy rules check: plain data, no Pulumi, so
 * the policy pack and the offline tests can import it as well as the SST program.
 */
import type { ErrorCode } from '../packages/core/src/errors';

export const LAMBDA_RUNTIME = 'nodejs22.x';
export const LAMBDA_ARCHITECTURE = 'arm64';
/** The esbuild plugins of every function's build, relative to sst.config.ts (the bench builds with them too). */
export const ESBUILD_PLUGINS = 'infra/esbuild-plugins.mjs';

export const WAF_MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
] as const;

/** Request headers never written to the WAF log. The query string is redacted too. */
export const WAF_REDACTED_HEADERS = ['authorization', 'x-api-key', 'cookie'] as const;

/** Write actions that only the AWS X-Ray service accepts on `*` (they take no resource ARN). */
export const WILDCARD_RESOURCE_ACTIONS: ReadonlySet<string> = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);

/**
 * Object Lock retention of audit anchors, in days: ten years on production (NZ Health (Retention
 * of Health Information) Regulations 1996), one day elsewhere so test stages can be removed.
 */
export const AUDIT_ANCHOR_RETENTION_DAYS_PRODUCTION = 3653;
export const auditAnchorRetentionDays = (production: boolean): number => (production ? AUDIT_ANCHOR_RETENTION_DAYS_PRODUCTION : 1);

/** Every API Gateway gateway response type, and the catalogue code it answers with. */
export const GATEWAY_RESPONSE_CODES = {
  ACCESS_DENIED: 'ACCESS_DENIED',
  API_CONFIGURATION_ERROR: 'INTERNAL_ERROR',
  AUTHORIZER_CONFIGURATION_ERROR: 'INTERNAL_ERROR',
  AUTHORIZER_FAILURE: 'INTERNAL_ERROR',
  BAD_REQUEST_BODY: 'VALIDATION_FAILED',
  BAD_REQUEST_PARAMETERS: 'VALIDATION_FAILED',
  DEFAULT_4XX: 'ACCESS_DENIED',
  DEFAULT_5XX: 'BAD_GATEWAY',
  EXPIRED_TOKEN: 'INVALID_TOKEN',
  INTEGRATION_FAILURE: 'BAD_GATEWAY',
  INTEGRATION_TIMEOUT: 'GATEWAY_TIMEOUT',
  INVALID_API_KEY: 'API_KEY_INVALID',
  INVALID_SIGNATURE: 'ACCESS_DENIED',
  MISSING_AUTHENTICATION_TOKEN: 'ROUTE_NOT_FOUND',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  REQUEST_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RESOURCE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  THROTTLED: 'THROTTLED',
  UNAUTHORIZED: 'MISSING_TOKEN',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  WAF_FILTERED: 'ACCESS_DENIED',
} as const satisfies Record<string, ErrorCode>;
