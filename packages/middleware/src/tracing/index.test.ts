/**
 * X-Ray traces as Lambda would send them: Powertools Tracer enabled (the environment says
 * Lambda), each call run inside a root segment of aws-xray-sdk-core's context, and the whole
 * segment tree read back afterwards. Nothing leaves the process (the root is never closed, so
 * nothing is emitted to a daemon).
 */
import type { RouteDefinition } from '@health-api/core';
import AWSXRay from 'aws-xray-sdk-core';
import { KMSClient } from '@aws-sdk/client-kms';
import { traced } from '@health-api/core/tracing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestDynamo } from '../../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../../test/support/dynamo.js';
import { lambdaContext, proxyEvent } from '../../../../test/support/events.js';
import type { EventInput } from '../../../../test/support/events.js';
import { configureAuth } from '../../../../test/support/handler-env.js';
import type { TestIssuer } from '../../../../test/support/issuer.js';
import { startTestIssuer } from '../../../../test/support/issuer.js';
import { captureLogs } from '../../../../test/support/logs.js';
import { compiledAtRunTime } from '../request-validation/compile-schema.js';
import { secureHandler } from '../secure-handler.js';

// Hoisted above the imports, so the Tracer is built enabled: Powertools traces only in Lambda.
vi.hoisted(() => {
  process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

const route = {
  id: 'trace-probe',
  method: 'GET',
  path: '/v1/Patient/{id}',
  interaction: 'read',
  resourceType: 'Patient',
  scope: { resourceType: 'Patient', permission: 'r' },
  apiKey: true,
  maxBodyBytes: 0,
  timeoutSeconds: 5,
  memoryMb: 128,
  schemas: { path: { id: { type: 'string', pattern: '^[A-Za-z0-9.-]{1,64}$' } }, query: { q: { type: 'string', maxLength: 40 } } },
} as const satisfies RouteDefinition;

const SECRET_DETAIL = 'patient-body-ZAC5361';
const handler = secureHandler(route, async ({ params }) => ({ statusCode: 200, body: { resourceType: 'Patient', id: params.id, text: SECRET_DETAIL } }), compiledAtRunTime(route));

interface SegmentJson {
  name: string;
  annotations?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  aws?: Record<string, unknown>;
  http?: unknown;
  fault?: boolean;
  error?: boolean;
  subsegments?: SegmentJson[];
}

let issuer: TestIssuer;
let dynamo: TestDynamo;
let logs: ReturnType<typeof captureLogs>;
beforeAll(async () => {
  issuer = await startTestIssuer();
  dynamo = await startTestDynamo();
  configureAuth(issuer);
  logs = captureLogs();
});
afterAll(async () => {
  logs.restore();
  await issuer.close();
  await dynamo.close();
});

/** Runs one call inside a fresh root segment and returns the segment tree it produced. */
async function traceOf(input: EventInput): Promise<{ status: number; tree: SegmentJson; text: string }> {
  const root = new AWSXRay.Segment('test-root');
  const result = await AWSXRay.getNamespace().runPromise(async () => {
    AWSXRay.setSegment(root);
    return handler(proxyEvent({ method: 'GET', path: '/v1/Patient/p1', pathParameters: { id: 'p1' }, ...input }), lambdaContext());
  });
  const text = JSON.stringify(root);
  return { status: result.statusCode, tree: JSON.parse(text) as SegmentJson, text };
}

const all = (segment: SegmentJson): SegmentJson[] => [segment, ...(segment.subsegments ?? []).flatMap(all)];

describe('request tracing (Powertools Tracer, X-Ray)', () => {
  it('traces a call as `## route` annotated with route and outcome, with DynamoDB and JWKS subsegments', async () => {
    const token = await issuer.token({ scope: 'system/Patient.r' });
    const { status, tree } = await traceOf({ headers: { authorization: `Bearer ${token}` } });
    expect(status).toBe(200);
    const [call, ...others] = tree.subsegments ?? [];
    expect(others).toEqual([]);
    expect(call?.name).toBe('## trace-probe');
    expect(call?.annotations).toEqual({ ColdStart: expect.any(Boolean) as boolean, Service: 'secure-health-api', route: 'trace-probe', outcome: 'success' });
    const names = all(call as SegmentJson).map((s) => s.name);
    expect(names).toContain('JWKS fetch');
    expect(names).toContain('DynamoDB');
  });

  it('annotates a refusal with its class and flags it, and no segment anywhere has metadata', async () => {
    const { status, tree } = await traceOf({ headers: { authorization: 'Bearer not-a-token' } });
    expect(status).toBe(401);
    const call = tree.subsegments?.[0] as SegmentJson;
    expect(call.annotations).toMatchObject({ route: 'trace-probe', outcome: 'client-error', refusal: 'authentication-failed' });
    expect(call.error).toBe(true);
    for (const segment of all(tree)) expect(segment.metadata).toBeUndefined();
  });

  it('never holds a token, API key, body or identifier the call carried', async () => {
    const token = await issuer.token({ scope: 'system/Patient.r', sub: 'ZBN77VL', client_id: 'hostile-client' });
    const hostile = {
      path: '/v1/Patient/ZAC5362', pathParameters: { id: 'ZAC5362' },
      query: { q: 'ZBN77VK' },
      headers: { authorization: `Bearer ${token}`, 'x-api-key': 'Xk2mP9qR7sT4vW8yZ1aB3cD5eF6gH0jK', 'x-forwarded-for': '198.51.100.77' },
    };
    const { status, text } = await traceOf(hostile);
    expect(status).toBe(200);
    for (const value of [token, token.split('.')[1] as string, 'ZAC5362', 'ZBN77VK', 'ZBN77VL', 'hostile-client', 'Xk2mP9qR7sT4vW8yZ1aB3cD5eF6gH0jK', '198.51.100.77', SECRET_DETAIL]) {
      expect(text).not.toContain(value);
    }
    const annotationKeys = new Set(all(JSON.parse(text) as SegmentJson).flatMap((s) => Object.keys(s.annotations ?? {})));
    expect([...annotationKeys].sort()).toEqual(['ColdStart', 'Service', 'outcome', 'route']);
  });

  it('instruments the KMS client the same way (X-Ray middleware on its stack)', () => {
    const client = traced(new KMSClient({ region: 'ap-southeast-2' }));
    expect(client.middlewareStack.identify().join(' ')).toMatch(/XRaySDKInstrumentation/);
  });
});
