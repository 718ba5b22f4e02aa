/**
 * Per-stage settings and the deploy-time options an operator gives through the environment of
 * `sst deploy`. Read here only, so every module agrees on what "production" means.
 */

export const isProduction = $app.stage === 'production';

/** CloudWatch retention: six years on production (records of access, HIPAA §164.316), 90 days elsewhere. */
export const logRetentionDays = isProduction ? 2192 : 90;

/** Physical names carry app and stage, like SST's own. */
export function stackName(suffix: string): string {
  return `${$app.name}-${$app.stage}-${suffix}`;
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);
}

/** Optional deploy-time options; all are documented in docs/deploy.md. */
export const deployOptions = {
  /** The functions' metrics also carry the caller's client id (a dimension set of their own). */
  metricsClientIds: process.env.HEALTH_API_METRICS_CLIENT_IDS === 'true',
  /**
   * `false`: the functions do not load the X-Ray SDK (POWERTOOLS_TRACE_ENABLED=false), so traces
   * keep Lambda's and API Gateway's own segments but lose the per-call subsegments; saves the
   * tracer's cost per request and per cold start (README, Benchmarks).
   */
  xraySubsegments: process.env.HEALTH_API_XRAY_SUBSEGMENTS !== 'false',
  /** Custom domain; when set the default execute-api endpoint is turned off. */
  domainName: process.env.HEALTH_API_DOMAIN,
  /** ACM certificate (same region) for the custom domain. */
  certificateArn: process.env.HEALTH_API_CERT_ARN,
  /** Only these source CIDRs may call the API (resource policy). */
  allowedSourceCidrs: list(process.env.HEALTH_API_ALLOWED_CIDRS),
  /** Or only through these interface VPC endpoints (vpce-…), e.g. for callers inside a VPC. */
  allowedVpcEndpoints: list(process.env.HEALTH_API_ALLOWED_VPC_ENDPOINTS),
  /** Alarm notifications go to this address (SNS email subscription). */
  alarmEmail: process.env.HEALTH_API_ALARM_EMAIL,
  /**
   * PEM bundle of the CAs whose client certificates the custom domain accepts: turns on mutual
   * TLS (needs the custom domain). See infra/mtls.ts.
   */
  mtlsTruststoreFile: process.env.HEALTH_API_MTLS_TRUSTSTORE,
  /** AUTH_SENDER_CONSTRAINT of the stage's functions: `none` (default), `dpop` or `mtls`. */
  senderConstraint: process.env.AUTH_SENDER_CONSTRAINT ?? 'none',
};
