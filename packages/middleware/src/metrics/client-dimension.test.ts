/** The deployer's opt-in (`METRICS_CLIENT_ID_DIMENSION=true`): a second dimension set with the verified client id. */
import type { RouteDefinition } from '@health-api/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext, proxyEvent } from '../../../../test/support/events.js';
import { configureAuth } from '../../../../test/support/handler-env.js';
import type { TestIssuer } from '../../../../test/support/issuer.js';
import { startTestIssuer } from '../../../../test/support/issuer.js';
import { captureLogs } from '../../../../test/support/logs.js';
import { compiledAtRunTime } from '../request-validation/compile-schema.js';
import { secureHandler } from '../secure-handler.js';
import type { EmfOutput } from './index.js';
import { onMetricsFlush } from './index.js';

const route = {
  id: 'client-probe', method: 'GET', path: '/v1/Probe', interaction: 'search-type',
  scope: { resourceType: 'Patient', permission: 's' }, apiKey: true, maxBodyBytes: 0, timeoutSeconds: 5, memoryMb: 128, schemas: {},
} as const satisfies RouteDefinition;
const handler = secureHandler(route, async () => ({ statusCode: 200, body: { resourceType: 'Bundle' } }), compiledAtRunTime(route));

let issuer: TestIssuer;
const flushed: EmfOutput[] = [];
beforeAll(async () => {
  issuer = await startTestIssuer();
  configureAuth(issuer, { METRICS_CLIENT_ID_DIMENSION: 'true', POWERTOOLS_METRICS_DISABLED: 'true' });
  onMetricsFlush((emf) => flushed.push(emf));
});
afterAll(() => issuer.close());
beforeEach(() => {
  const logs = captureLogs();
  return () => logs.restore();
});

const call = async (authorization?: string) => {
  flushed.length = 0;
  await handler(proxyEvent({ method: 'GET', path: '/v1/Probe', headers: authorization ? { authorization } : {} }), lambdaContext());
  expect(flushed).toHaveLength(1);
  return flushed[0] as EmfOutput;
};

describe('client id dimension, when the deployer allows it', () => {
  it('adds a dimension set with the verified client id beside service and route', async () => {
    const emf = await call(`Bearer ${await issuer.token({ client_id: 'clinical-app', scope: 'system/Patient.s' })}`);
    expect(emf._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'route'], ['service', 'route', 'clientId']]);
    expect(emf).toMatchObject({ service: 'secure-health-api', route: 'client-probe', clientId: 'clinical-app' });
  });

  it('leaves it out without a verified token, and for a client id unfit for a dimension', async () => {
    expect((await call())._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'route']]);
    const odd = await call(`Bearer ${await issuer.token({ client_id: 'ZAC5361 <script>', scope: 'system/Patient.s' })}`);
    expect(odd._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'route']]);
    expect(JSON.stringify(odd)).not.toContain('ZAC5361');
  });
});
