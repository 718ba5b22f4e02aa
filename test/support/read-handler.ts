import type { RouteDefinition } from '@health-api/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { secureHandler } from '../../packages/middleware/src/secure-handler.js';
import { compiledAtRunTime } from '../../packages/middleware/src/request-validation/compile-schema.js';
import { lambdaContext, proxyEvent } from './events.js';

const route = {
  id: 'token-test-read', method: 'GET', path: '/v1/Patient/{id}', interaction: 'read', resourceType: 'Patient',
  scope: { resourceType: 'Patient', permission: 'r' }, apiKey: true, maxBodyBytes: 0, timeoutSeconds: 5, memoryMb: 128,
  schemas: { path: { id: { type: 'string', pattern: '^[A-Za-z0-9.-]{1,64}$' } } },
} as const satisfies RouteDefinition;

/**
 * The whole secureHandler chain on a Patient read whose business function counts its calls, for
 * token tests under one issuer configuration (a test file configures the environment first).
 */
export function countingReadHandler() {
  let calls = 0;
  const handler = secureHandler(route, async () => {
    calls += 1;
    return { statusCode: 200, body: { resourceType: 'Patient', id: 'p1' } };
  }, compiledAtRunTime(route));
  return {
    read: (token: string) => handler(proxyEvent({
      method: 'GET', path: '/v1/Patient/p1', resource: '/v1/Patient/{id}', pathParameters: { id: 'p1' }, headers: { authorization: `Bearer ${token}` },
    }), lambdaContext()),
    calls: () => calls,
    resetCalls: () => { calls = 0; },
  };
}

/** The stable error code of an OperationOutcome answer. */
export function outcomeCode(result: APIGatewayProxyResult): string | undefined {
  return (JSON.parse(result.body) as { issue: Array<{ details: { coding: Array<{ code: string }> } }> }).issue[0]?.details.coding[0]?.code;
}
