import type { ErrorCode, RouteDefinition } from '@health-api/core';
import { ApiError, apiMetricNames } from '@health-api/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext, proxyEvent } from '../../../../test/support/events.js';
import type { EventInput } from '../../../../test/support/events.js';
import { configureAuth } from '../../../../test/support/handler-env.js';
import type { TestIssuer } from '../../../../test/support/issuer.js';
import { startTestIssuer } from '../../../../test/support/issuer.js';
import { captureLogs } from '../../../../test/support/logs.js';
import { compiledAtRunTime } from '../request-validation/compile-schema.js';
import { secureHandler } from '../secure-handler.js';
import type { EmfOutput } from './index.js';
import { onMetricsFlush } from './index.js';

/** A data route without a resource type: the chain runs in full, minus the audit trail's table. */
const route = {
  id: 'metrics-probe',
  method: 'GET',
  path: '/v1/Probe/{id}',
  interaction: 'read',
  scope: { resourceType: 'Patient', permission: 'r' },
  apiKey: true,
  maxBodyBytes: 0,
  timeoutSeconds: 5,
  memoryMb: 128,
  schemas: { path: { id: { type: 'string', pattern: '^[A-Za-z0-9.-]{1,64}$' } }, query: { q: { type: 'string', maxLength: 8 } } },
} as const satisfies RouteDefinition;

let failWith: ApiError | undefined;
const handler = secureHandler(route, async () => {
  if (failWith) throw failWith;
  return { statusCode: 200, body: { resourceType: 'Basic' } };
}, compiledAtRunTime(route));

let issuer: TestIssuer;
const flushed: EmfOutput[] = [];
let unsubscribe: () => void;
beforeAll(async () => {
  issuer = await startTestIssuer();
  configureAuth(issuer);
  unsubscribe = onMetricsFlush((emf) => flushed.push(emf));
});
afterAll(async () => {
  unsubscribe();
  await issuer.close();
});
let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  flushed.length = 0;
  failWith = undefined;
  logs = captureLogs();
  return () => logs.restore();
});

const call = async (input: EventInput = {}) => {
  const token = await issuer.token({ scope: 'system/Patient.r' });
  return handler(proxyEvent({ method: 'GET', path: '/v1/Probe/p1', pathParameters: { id: 'p1' }, headers: { authorization: `Bearer ${token}` }, ...input }), lambdaContext());
};

const withoutTimestamp = ({ _aws: { Timestamp: _, ...aws }, ...rest }: EmfOutput) => ({ ...rest, _aws: aws });

/**
 * The one EMF document of the last call, as written to stdout (where Lambda's CloudWatch agent
 * reads it) and as handed to listeners: its metric names, values and dimensions.
 */
function lastFlush() {
  expect(flushed).toHaveLength(1);
  const emf = flushed[0] as EmfOutput;
  const printed = logs.records().filter((record) => '_aws' in record) as unknown as EmfOutput[];
  expect(printed.map(withoutTimestamp)).toEqual([withoutTimestamp(emf)]);
  const directive = emf._aws.CloudWatchMetrics[0];
  const names = (directive?.Metrics ?? []).map((m) => m.Name);
  return { emf, names, dimensions: directive?.Dimensions, values: Object.fromEntries(names.map((n) => [n, emf[n]])) };
}

describe('request metrics (Powertools EMF)', () => {
  it('counts an allowed call once: Requests, Succeeded and its Latency, under service and route only', async () => {
    expect((await call()).statusCode).toBe(200);
    const { emf, names, dimensions, values } = lastFlush();
    expect(names.sort()).toEqual(['Latency', 'Requests', 'Succeeded']);
    expect(values).toMatchObject({ Requests: 1, Succeeded: 1 });
    expect(dimensions).toEqual([['service', 'route']]);
    expect(emf).toMatchObject({ service: 'secure-health-api', route: 'metrics-probe' });
    expect(emf._aws.CloudWatchMetrics[0]?.Namespace).toBe('secure-health-api/local');
  });

  it.each<[string, string, string, () => Promise<unknown>]>([
    ['a missing token', 'AuthenticationFailed', 'ClientErrors', () => call({ headers: {} })],
    ['a forged token', 'AuthenticationFailed', 'ClientErrors', () => call({ headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' } })],
    ['a token without the scope', 'ScopeDenied', 'ClientErrors', async () => handler(proxyEvent({
      method: 'GET', path: '/v1/Probe/p1', pathParameters: { id: 'p1' }, headers: { authorization: `Bearer ${await issuer.token({ scope: 'system/Observation.r' })}` },
    }), lambdaContext())],
    ['an invalid query value', 'ValidationFailed', 'ClientErrors', () => call({ query: { q: 'far-too-long-a-value' } })],
  ])('counts %s as %s and %s', async (_name, refusal, outcome, send) => {
    await send();
    const { names } = lastFlush();
    expect(names.sort()).toEqual(['Latency', 'Requests', outcome, refusal].sort());
  });

  it.each<[ErrorCode, string | undefined, string, string]>([
    ['IDEMPOTENCY_KEY_REUSED', undefined, 'IdempotencyConflict', 'ClientErrors'],
    ['SERVICE_UNAVAILABLE', 'audit-write-failed', 'AuditWriteFailed', 'ServerErrors'],
    ['SERVICE_UNAVAILABLE', 'dependency-throttled', 'Throttled', 'ServerErrors'],
    ['SERVICE_UNAVAILABLE', 'dependency-transient', 'DependencyUnavailable', 'ServerErrors'],
    ['NOT_FOUND', undefined, '', 'ClientErrors'],
    ['INTERNAL_ERROR', undefined, '', 'ServerErrors'],
  ])('counts a business %s (reason %s) as %s and %s', async (code, reason, refusal, outcome) => {
    failWith = new ApiError(code, reason ? { reason } : {});
    await call();
    const { names } = lastFlush();
    expect(names.sort()).toEqual(['Latency', 'Requests', outcome, ...(refusal ? [refusal] : [])].sort());
  });

  it('never carries a value from the request, whatever the caller sends', async () => {
    const hostile = ['ZAC5361', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2aWN0aW0ifQ.c2ln', 'Xk2mP9qR7sT4vW8yZ1aB3cD5eF6gH0jK', 'evil-client', '203.0.113.66', 'hostile-interaction'];
    const [nhi, jwt, apiKey, clientId, ip, interaction] = hostile as [string, string, string, string, string, string];
    for (const send of [
      () => call({ path: `/v1/Probe/${nhi}`, pathParameters: { id: nhi }, query: { q: nhi, route: clientId, service: clientId } }),
      () => call({ headers: { authorization: `Bearer ${jwt}`, 'x-api-key': apiKey, 'x-forwarded-for': ip, route: clientId, 'x-interaction-id': interaction } }),
      async () => call({ headers: { authorization: `Bearer ${await issuer.token({ client_id: clientId, sub: nhi, scope: 'system/Patient.r' })}` }, query: { q: apiKey } }),
    ]) {
      flushed.length = 0;
      logs.clear();
      await send();
      const { emf, dimensions } = lastFlush();
      const text = logs.records().filter((record) => '_aws' in record).map((record) => JSON.stringify(record)).join('\n');
      for (const value of hostile) expect(text).not.toContain(value);
      expect(dimensions).toEqual([['service', 'route']]);
      expect(Object.keys(emf).filter((key) => key !== '_aws').sort())
        .toEqual(['route', 'service', ...apiMetricNames.filter((name) => name in emf)].sort());
      expect(emf.route).toBe('metrics-probe');
    }
  });
});
