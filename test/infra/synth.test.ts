/**
 * The SST program runs offline (Pulumi mocks, a fake SST server) and declares what the route
 * manifest and the shared definitions say, through the SST calls we expect.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { refusalMetrics } from '../../packages/core/src/api-metrics.js';
import { readConfig } from '../../packages/core/src/config.js';
import { operationOutcome } from '../../packages/core/src/errors.js';
import { tableList } from '../../packages/core/src/tables.js';
import { handlerModule, routeList } from '../../packages/functions/src/routes.js';
import { SYSTEM_CLIENT_SCOPES } from '../../packages/local/src/issuer-clients.js';
import { synth, type Synth } from './harness/synth.js';
import { ESBUILD_PLUGINS } from '../../infra/controls.js';

let result: Synth;
beforeAll(async () => {
  result = await synth();
});

const ofType = (type: string) => result.resources.filter((r) => r.type === type);

describe('offline synth of sst.config.ts', () => {
  it('builds one function per route of the manifest, from the route\'s handler module', () => {
    expect(ofType('aws:lambda/function:Function')).toHaveLength(routeList.length);
    const handlers = result.builds.map((b) => b.handler).sort();
    expect(handlers).toEqual(routeList.map((r) => handlerModule(r).replace(/\.ts$/, '.handler')).sort());
  });

  it('builds every function as ESM with code splitting and the esbuild plugins the bench builds with too', () => {
    expect(result.builds).toHaveLength(routeList.length);
    for (const b of result.builds) expect(b.properties).toMatchObject({ format: 'esm', splitting: true, plugins: ESBUILD_PLUGINS });
  });

  it('answers a body over the WAF size rule as the gateway and the functions do: 413 with the PAYLOAD_TOO_LARGE OperationOutcome', () => {
    const [acl] = ofType('aws:wafv2/webAcl:WebAcl');
    const inputs = acl?.inputs as {
      rules: Array<{ name: string; action: { block?: { customResponse?: { responseCode: number; customResponseBodyKey: string } } } }>;
      customResponseBodies: Array<{ key: string; contentType: string; content: string }>;
    };
    const rule = inputs.rules.find((r) => r.name === 'BodySizeLimit');
    expect(rule?.action.block?.customResponse).toMatchObject({ responseCode: 413, customResponseBodyKey: 'PAYLOAD_TOO_LARGE' });
    const body = inputs.customResponseBodies.find((b) => b.key === 'PAYLOAD_TOO_LARGE');
    expect(JSON.parse(body?.content ?? '{}')).toEqual(operationOutcome('PAYLOAD_TOO_LARGE'));
  });

  it('declares one table per shared table definition', () => {
    expect(ofType('aws:dynamodb/table:Table').map((t) => t.name).sort()).toEqual(tableList.map((t) => `${t.name}Table`).sort());
  });

  it('uses only the SST calls and AWS data sources the harness answers (guards SST upgrades)', () => {
    expect([...result.rpcMethods].sort()).toEqual(['Provider.Aws.Bootstrap', 'Runtime.Build']);
    expect([...result.unknownInvokes]).toEqual([]);
  });

  it('outputs the URL, the issuer and the API key ids, never key values', () => {
    expect(result.outputs.url).toMatch(/^https:\/\/.+\/ci\/$/);
    expect(Object.keys(result.outputs.apiKeyIds as object).sort()).toEqual(['partner', 'standard']);
    const apiKeyValues = ofType('aws:apigateway/apiKey:ApiKey').map((k) => k.state.value).filter(Boolean);
    for (const value of apiKeyValues) expect(JSON.stringify(result.outputs)).not.toContain(String(value));
  });

  it('gives functions the configuration readConfig() needs, with secrets by ARN only', () => {
    for (const fn of ofType('aws:lambda/function:Function')) {
      const variables = (fn.inputs.environment as { variables: Record<string, string> }).variables;
      for (const name of ['AUTH_ISSUER', 'AUTH_JWKS_URI', ...tableList.map((t) => t.envVar)]) expect(variables[name]).toBeTruthy();
      // Cognito names no audience and types no token: its tokens are bound to the API by client id.
      expect(variables.AUTH_AUDIENCE).toBeUndefined();
      expect(readConfig(variables).auth).toMatchObject({ issuerKind: 'cognito', audience: null, legacyTokenTypes: true });
      expect(readConfig(variables).auth.clientIds.length).toBeGreaterThan(0);
      expect(variables.BLIND_INDEX_SECRET_ARN).toMatch(/^arn:aws:secretsmanager:/);
    }
  });

  it('gives each function only its interaction\'s access: reads never write, only creates touch idempotency, all append audit, audited routes append seals', () => {
    const arnOf = (name: string) => ofType('aws:dynamodb/table:Table').find((t) => t.name === name)!.state.arn as string;
    const [resources, idempotency, audit, seals] = [arnOf('ResourcesTable'), arnOf('IdempotencyTable'), arnOf('AuditTable'), arnOf('AuditSealsTable')];
    const fieldKey = ofType('aws:kms/key:Key').find((k) => k.name === 'FieldEncryptionKey')!.state.arn as string;
    const roles = new Map(ofType('aws:iam/role:Role').map((r) => [r.state.arn, r.inputs]));
    for (const route of routeList) {
      const fn = ofType('aws:lambda/function:Function').find((f) => f.inputs.description === `${route.method} ${route.path}`)!;
      const policies = (roles.get(fn.inputs.role)!.inlinePolicies as Array<{ policy: string }>);
      const statements = policies.flatMap((p) => (JSON.parse(p.policy) as { Statement: Array<{ Action: string[]; Resource: string[] }> }).Statement);
      const actionsOn = (arn: string) => statements.filter((s) => s.Resource.includes(arn)).flatMap((s) => s.Action);
      expect(actionsOn(audit), route.id).toContain('dynamodb:PutItem');
      expect(actionsOn(audit).filter((a) => /Update|Delete/.test(a)), route.id).toEqual([]);
      if (route.resourceType) expect(actionsOn(seals), route.id).toEqual(['dynamodb:PutItem']);
      expect(actionsOn(idempotency).length > 0, route.id).toBe(route.interaction === 'create');
      // Only a create with a subject checks its Patient in the write's transaction.
      expect(actionsOn(resources).includes('dynamodb:ConditionCheckItem'), route.id)
        .toBe(route.interaction === 'create' && route.resourceType !== 'Patient');
      if (['read', 'search-type', 'capabilities'].includes(route.interaction)) {
        expect(actionsOn(resources).filter((a) => /Put|Update|Delete|Write/.test(a)), route.id).toEqual([]);
        expect(actionsOn(fieldKey), route.id).not.toContain('kms:GenerateDataKey');
      }
    }
  });

  it('restricts callers to the operator\'s CIDRs with a resource policy when given', async () => {
    const restricted = await synth({ env: { HEALTH_API_ALLOWED_CIDRS: '203.0.113.0/24, 198.51.100.7/32' } });
    const api = restricted.resources.find((r) => r.type === 'aws:apigateway/restApi:RestApi')!;
    const policy = JSON.parse(api.inputs.policy as string) as { Statement: Array<{ Effect: string; Condition?: unknown }> };
    expect(policy.Statement.find((s) => s.Effect === 'Deny')?.Condition).toEqual({ NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.7/32'] } });
    expect(ofType('aws:apigateway/restApi:RestApi')[0]!.inputs.policy).toBeUndefined();
  });

  it('restricts callers to the operator\'s VPC endpoints, or CIDRs, with one resource policy', async () => {
    const restricted = await synth({ env: { HEALTH_API_ALLOWED_VPC_ENDPOINTS: 'vpce-0abc', HEALTH_API_ALLOWED_CIDRS: '203.0.113.0/24' } });
    const api = restricted.resources.find((r) => r.type === 'aws:apigateway/restApi:RestApi')!;
    const policy = JSON.parse(api.inputs.policy as string) as { Statement: Array<{ Effect: string; Condition?: unknown }> };
    expect(policy.Statement.find((s) => s.Effect === 'Deny')?.Condition).toEqual({
      NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24'] },
      StringNotEquals: { 'aws:SourceVpce': ['vpce-0abc'] },
    });
  });

  it('creates a Cognito app client per system client of the local issuer, with the same SMART scopes', () => {
    const clients = ofType('aws:cognito/userPoolClient:UserPoolClient');
    const expected = Object.entries(SYSTEM_CLIENT_SCOPES).filter(([, allowance]) => allowance);
    expect(clients.map((c) => c.inputs.name).sort()).toEqual(expected.map(([name]) => name).sort());
    for (const [name, allowance] of expected) {
      const client = clients.find((c) => c.inputs.name === name)!;
      expect(client.inputs).toMatchObject({ allowedOauthFlows: ['client_credentials'], generateSecret: true });
      expect(client.inputs.allowedOauthScopes).toEqual(expect.arrayContaining(allowance.split(' ')));
    }
  });

  it('traces every function with X-Ray, and leaves the X-Ray SDK out of the functions only when told', async () => {
    const variablesOf = (fn: { inputs: Record<string, unknown> }) => (fn.inputs.environment as { variables: Record<string, string> }).variables;
    const functions = ofType('aws:lambda/function:Function');
    expect(functions.length).toBe(routeList.length);
    for (const fn of functions) {
      expect(fn.inputs.tracingConfig).toEqual({ mode: 'Active' });
      expect(variablesOf(fn).POWERTOOLS_TRACE_ENABLED).toBeUndefined();
    }
    const lean = await synth({ env: { HEALTH_API_XRAY_SUBSEGMENTS: 'false' } });
    const leanFunctions = lean.resources.filter((r) => r.type === 'aws:lambda/function:Function');
    expect(leanFunctions.length).toBe(routeList.length);
    for (const fn of leanFunctions) {
      expect(fn.inputs.tracingConfig).toEqual({ mode: 'Active' });
      expect(variablesOf(fn).POWERTOOLS_TRACE_ENABLED).toBe('false');
    }
  });

  it('takes an external OIDC issuer from the deploy environment instead of creating Cognito', async () => {
    const external = await synth({ env: { AUTH_ISSUER: 'https://login.example.org/', AUTH_AUDIENCE: 'https://fhir.example.org', AUTH_ALLOW_LEGACY_TYP: 'true' } });
    expect(external.resources.filter((r) => r.type.startsWith('aws:cognito/'))).toEqual([]);
    const fn = external.resources.find((r) => r.type === 'aws:lambda/function:Function')!;
    const variables = (fn.inputs.environment as { variables: Record<string, string> }).variables;
    expect(variables).toMatchObject({
      AUTH_ISSUER: 'https://login.example.org/', AUTH_ISSUER_KIND: 'oidc', AUTH_AUDIENCE: 'https://fhir.example.org', AUTH_ALLOW_LEGACY_TYP: 'true',
    });
    // No JWKS location is guessed: the functions read it from the issuer's discovery document.
    expect(variables.AUTH_JWKS_URI).toBeUndefined();
    expect(readConfig(variables).auth).toMatchObject({ issuerKind: 'oidc', legacyTokenTypes: true });
  });

  it('keeps a DPoP replay table with TTL that functions may only PutItem into, and plain bearer by default', () => {
    const table = ofType('aws:dynamodb/table:Table').find((t) => t.name === 'DpopProofsTable')!;
    expect(table.inputs).toMatchObject({ hashKey: 'proof', ttl: { attributeName: 'expiresAt', enabled: true }, serverSideEncryption: { enabled: true } });
    const roles = new Map(ofType('aws:iam/role:Role').map((r) => [r.state.arn, r.inputs]));
    for (const route of routeList) {
      const fn = ofType('aws:lambda/function:Function').find((f) => f.inputs.description === `${route.method} ${route.path}`)!;
      const statements = (roles.get(fn.inputs.role)!.inlinePolicies as Array<{ policy: string }>)
        .flatMap((p) => (JSON.parse(p.policy) as { Statement: Array<{ Action: string[]; Resource: string[] }> }).Statement);
      const actions = statements.filter((st) => st.Resource.includes(table.state.arn as string)).flatMap((st) => st.Action);
      expect(actions, route.id).toEqual(route.scope ? ['dynamodb:PutItem'] : []);
      expect((fn.inputs.environment as { variables: Record<string, string> }).variables.AUTH_SENDER_CONSTRAINT).toBe('none');
    }
    expect(ofType('aws:apigateway/domainName:DomainName')).toEqual([]);
  });

  it('puts certificate-bound tokens behind a mutual-TLS custom domain: versioned, encrypted, private truststore; no execute-api endpoint', async () => {
    const truststore = join(mkdtempSync(join(tmpdir(), 'truststore-')), 'ca.pem');
    writeFileSync(truststore, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const mtls = await synth({ env: {
      HEALTH_API_DOMAIN: 'api.example.health.nz', HEALTH_API_CERT_ARN: 'arn:aws:acm:ap-southeast-2:000000000000:certificate/abc',
      HEALTH_API_MTLS_TRUSTSTORE: truststore, AUTH_SENDER_CONSTRAINT: 'mtls',
      AUTH_ISSUER: 'https://login.example.org/', AUTH_AUDIENCE: 'https://api.example.health.nz/v1',
    } });
    const of = (type: string) => mtls.resources.filter((r) => r.type === type);
    const [bucket] = of('aws:s3/bucket:Bucket').filter((b) => b.name === 'Truststore');
    const [object] = of('aws:s3/bucketObjectv2:BucketObjectv2').filter((o) => o.name === 'TruststoreObject');
    const [domain] = of('aws:apigateway/domainName:DomainName');
    expect(domain?.inputs).toMatchObject({
      securityPolicy: 'TLS_1_2',
      mutualTlsAuthentication: { truststoreUri: `s3://${String(bucket?.state.id)}/truststore.pem`, truststoreVersion: object?.state.versionId },
    });
    expect(of('aws:apigateway/restApi:RestApi')[0]?.inputs.disableExecuteApiEndpoint).toBe(true);
    const forBucket = (type: string) => of(type).find((r) => r.inputs.bucket === bucket?.state.id)?.inputs;
    expect(forBucket('aws:s3/bucketVersioning:BucketVersioning')).toMatchObject({ versioningConfiguration: { status: 'Enabled' } });
    expect(forBucket('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration'))
      .toMatchObject({ rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }] });
    expect(forBucket('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock'))
      .toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    const fn = of('aws:lambda/function:Function')[0]!;
    expect(readConfig((fn.inputs.environment as { variables: Record<string, string> }).variables).auth.senderConstraint).toBe('mtls');
  });

  it('refuses a sender constraint the stage cannot prove: mtls without mutual TLS, any with Cognito', async () => {
    // The program throws at import; Pulumi reports it more than once, so later copies are let go here.
    const quiet = () => undefined;
    process.on('unhandledRejection', quiet);
    process.on('uncaughtException', quiet);
    try {
      await expect(synth({ env: { AUTH_SENDER_CONSTRAINT: 'mtls', AUTH_ISSUER: 'https://login.example.org/', AUTH_AUDIENCE: 'https://api.example/v1' } }))
        .rejects.toThrow(/needs a mutual-TLS custom domain/);
      await expect(synth({ env: { AUTH_SENDER_CONSTRAINT: 'dpop' } })).rejects.toThrow(/Cognito issues no DPoP-bound tokens/);
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      process.off('unhandledRejection', quiet);
      process.off('uncaughtException', quiet);
    }
  });
});

describe('offline synth: the API dashboard', () => {
  it('graphs requests, refusals by class, 5xx, latency p50 and p99 per route, and WAF blocks', () => {
    const [dashboard, ...others] = ofType('aws:cloudwatch/dashboard:Dashboard');
    expect(others).toEqual([]);
    const body = JSON.parse(String(dashboard?.inputs.dashboardBody)) as { widgets: Array<{ properties: { title: string; metrics: unknown[] } }> };
    expect(body.widgets.map((w) => w.properties.title)).toEqual([
      'Requests per route', 'Refusals by class', '5xx', 'Latency p50 and p99 per route (ms)', 'WAF blocks',
    ]);
    const text = JSON.stringify(body);
    for (const name of [...Object.values(refusalMetrics), 'Requests', 'ServerErrors']) expect(text).toContain(`MetricName=\\"${name}\\"`);
    expect(text).toMatch(/MetricName=\\"Latency\\"', 'p50'/);
    expect(text).toMatch(/MetricName=\\"Latency\\"', 'p99'/);
    expect(text).toContain('"BlockedRequests"');
  });
});
