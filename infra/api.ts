/**
 * The REST API: one Lambda per route of the manifest behind API Gateway (v1), with API keys and
 * usage plans, stage and method throttling, an encrypted stage cache for public responses only,
 * JSON access logs without paths or query strings, X-Ray, and OperationOutcome gateway responses.
 */
import { gatewayConfig } from '../packages/core/src/gateway-config';
import type { RouteDefinition } from '../packages/core/src/route';
import { handlerModule, routeList } from '../packages/functions/src/routes';
import { ESBUILD_PLUGINS, LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME } from './controls';
import { functionEnvironment } from './function-env';
import { GATEWAY_RESPONSES_DIGEST, gatewayResponseDefinitions } from './gateway-responses';
import { encryptedLogGroup, logsKey } from './logs';
import { routePermissions } from './permissions';
import { mutualTls } from './sender-constraint';
import { deployOptions, logRetentionDays, stackName } from './stage';

/**
 * One line per request. The resource *template* (`/v1/Patient/{id}`), never the path or query
 * string, which would put patient ids and identifiers in the log.
 */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  apiKeyId: '$context.identity.apiKeyId',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  errorType: '$context.error.responseType',
  wafResponseCode: '$context.wafResponseCode',
  xrayTraceId: '$context.xrayTraceId',
});

const LAMBDA_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const cachedRoutes = routeList.filter((route) => route.cacheTtlSeconds);
const { domainName, certificateArn, allowedSourceCidrs, allowedVpcEndpoints } = deployOptions;

/**
 * Resource policy: when the operator names source CIDRs or VPC endpoints, every other caller is
 * refused. One Deny with both conditions refuses only a caller that matches neither.
 */
function sourcePolicy(): string | undefined {
  if (allowedSourceCidrs.length === 0 && allowedVpcEndpoints.length === 0) return undefined;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
      {
        Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*',
        Condition: {
          ...(allowedSourceCidrs.length > 0 ? { NotIpAddress: { 'aws:SourceIp': allowedSourceCidrs } } : {}),
          ...(allowedVpcEndpoints.length > 0 ? { StringNotEquals: { 'aws:SourceVpce': allowedVpcEndpoints } } : {}),
        },
      },
    ],
  });
}

// Created once the API exists (they need its id); the deployment transform, run by deploy(), reads them.
let responses: aws.apigateway.Response[] = [];

export const api = new sst.aws.ApiGatewayV1('Api', {
  endpoint: { type: 'regional' },
  // A bearer-token API for servers; browsers are not callers, so no CORS.
  cors: false,
  ...(domainName && certificateArn ? { domain: { name: domainName, cert: certificateArn, dns: false as const } } : {}),
  transform: {
    api: (args) => {
      args.apiKeySource = 'HEADER';
      args.disableExecuteApiEndpoint = Boolean(domainName);
      args.policy = sourcePolicy();
    },
    accessLog: (args) => {
      args.retentionInDays = logRetentionDays;
      args.kmsKeyId = logsKey.arn;
    },
    stage: (args) => {
      args.xrayTracingEnabled = true;
      args.cacheClusterEnabled = cachedRoutes.length > 0;
      args.cacheClusterSize = cachedRoutes.length > 0 ? '0.5' : undefined;
      args.accessLogSettings = $output(args.accessLogSettings).apply((settings) => ({
        destinationArn: settings!.destinationArn,
        format: ACCESS_LOG_FORMAT,
      }));
    },
    // Gateway responses take effect only with a deployment: deploy after them, and again when they change.
    deployment: (args, opts) => {
      args.triggers = $output(args.triggers).apply((triggers) => ({ ...triggers, gatewayResponses: GATEWAY_RESPONSES_DIGEST }));
      opts.dependsOn = responses;
    },
    domainName: (args) => {
      args.securityPolicy = 'TLS_1_2';
      // Certificate-bound tokens: only clients with a certificate of the truststore's CAs get in.
      if (mutualTls) args.mutualTlsAuthentication = mutualTls;
    },
  },
});

function titleCase(id: string): string {
  return id.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

function addRoute(route: RouteDefinition) {
  const logGroup = encryptedLogGroup(`${titleCase(route.id)}Logs`, `/aws/lambda/${stackName(route.id)}`);
  const apiRoute = api.route(`${route.method} ${route.path}`, {
    handler: handlerModule(route).replace(/\.ts$/, '.handler'),
    description: `${route.method} ${route.path}`,
    runtime: LAMBDA_RUNTIME,
    architecture: LAMBDA_ARCHITECTURE,
    memory: `${route.memoryMb} MB`,
    timeout: `${route.timeoutSeconds} seconds`,
    logging: { logGroup: logGroup.name, format: 'json' },
    environment: functionEnvironment(),
    permissions: routePermissions(route, logGroup.arn),
    // Code splitting: what a route imports lazily (audit, idempotency, storage) stays out of
    // its entry chunk, so routes that never need it start faster. The plugins load Node's
    // builtins as `require` does, which spares Node 22 a cold-start cost (infra/esbuild-plugins.mjs).
    nodejs: { format: 'esm', splitting: true, plugins: ESBUILD_PLUGINS },
    transform: {
      function: (args) => {
        args.tracingConfig = { mode: 'Active' };
      },
      role: (args) => {
        // The inline policy already allows writing to this function's log group; SST's
        // AWSLambdaBasicExecutionRole would add logs:CreateLogGroup on every log group.
        args.managedPolicyArns = [];
        // SST 4.17 tests an Output for `dev`, which is always truthy, and so also trusts the
        // account root (its live-dev setup). Only Lambda may assume a function role.
        args.assumeRolePolicy = LAMBDA_TRUST_POLICY;
      },
    },
  }, { apiKey: route.apiKey, auth: false });
  return { function: apiRoute.nodes.function, logGroup };
}

responses = gatewayResponseDefinitions.map((definition) =>
  new aws.apigateway.Response(`GatewayResponse${definition.responseType}`, { restApiId: api.nodes.api.id, ...definition }));

export const routeFunctions = Object.fromEntries(routeList.map((route) => [route.id, addRoute(route)]));

api.deploy();
const stage = api.nodes.stage!;

/**
 * `*` `/` `*` sets the stage defaults; each route then gets its own entry so its cache and
 * throttle are explicit. The cache is encrypted everywhere (GxP EU Annex 11) and only enabled
 * for public responses the manifest marks cacheable.
 */
function methodSettings(name: string, methodPath: string, cacheTtlSeconds?: number): aws.apigateway.MethodSettings {
  return new aws.apigateway.MethodSettings(name, {
    restApi: api.nodes.api.id,
    stageName: stage.stageName,
    methodPath,
    settings: {
      metricsEnabled: true,
      loggingLevel: 'ERROR',
      dataTraceEnabled: false,
      throttlingRateLimit: gatewayConfig.stageThrottle.rateLimit,
      throttlingBurstLimit: gatewayConfig.stageThrottle.burstLimit,
      cachingEnabled: Boolean(cacheTtlSeconds),
      cacheTtlInSeconds: cacheTtlSeconds ?? 0,
      cacheDataEncrypted: true,
      requireAuthorizationForCacheControl: true,
      unauthorizedCacheControlHeaderStrategy: 'FAIL_WITH_403',
    },
  });
}

methodSettings('StageMethodDefaults', '*/*');
for (const route of routeList) {
  methodSettings(`${titleCase(route.id)}MethodSettings`, `${route.path.replace(/^\//, '')}/${route.method}`, route.cacheTtlSeconds);
}

export const usagePlans = Object.fromEntries(Object.entries(gatewayConfig.usagePlans).map(([name, plan]) => {
  const usagePlan = api.addUsagePlan(`${titleCase(name)}Plan`, {
    throttle: { rate: plan.throttle.rateLimit, burst: plan.throttle.burstLimit },
    quota: { limit: plan.quota.limit, period: plan.quota.period.toLowerCase() as 'day' | 'week' | 'month' },
  });
  // One key per plan to start with; values stay in API Gateway (read them with the AWS CLI).
  const key = usagePlan.addApiKey(`${titleCase(name)}Key`);
  return [name, { usagePlan, apiKeyId: key.nodes.apiKey.id }];
}));

export { stage };
