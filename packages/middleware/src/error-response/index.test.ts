import type { RouteDefinition } from '@health-api/core';
import { ApiError } from '@health-api/core';
import { IdempotencyPersistenceLayerError } from '@aws-lambda-powertools/idempotency';
import { ProvisionedThroughputExceededException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext, proxyEvent } from '../../../../test/support/events.js';
import { captureLogs } from '../../../../test/support/logs.js';
import { secureHandler } from '../secure-handler.js';
import { compiledAtRunTime } from '../request-validation/compile-schema.js';

const route = {
  id: 'public', method: 'GET', path: '/v1/metadata', interaction: 'capabilities', apiKey: false,
  maxBodyBytes: 0, timeoutSeconds: 5, memoryMb: 128, schemas: {},
} as const satisfies RouteDefinition;

beforeAll(() => {
  // A public route verifies no token, but the configuration is still read.
  Object.assign(process.env, { AUTH_ISSUER: 'https://issuer.invalid', AUTH_AUDIENCE: 'https://api.invalid' });
});
let logs: ReturnType<typeof captureLogs>;
beforeEach(() => { logs = captureLogs(); });
afterEach(() => logs.restore());

const call = (business: () => Promise<never>, timeoutMs = 10_000) =>
  secureHandler(route, business, compiledAtRunTime(route))(proxyEvent(), lambdaContext(timeoutMs));

describe('error responses', () => {
  it('turn an unexpected error into a generic 500 OperationOutcome that reveals nothing', async () => {
    const result = await call(async () => { throw new TypeError('cannot read ZAC5361 of table patients-prod at db.ts:12'); });
    expect(result.statusCode).toBe(500);
    const outcome = JSON.parse(result.body);
    expect(outcome).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'exception', details: { coding: [{ code: 'INTERNAL_ERROR' }] } }] });
    expect(result.body).not.toMatch(/ZAC5361|patients-prod|db\.ts|TypeError/);
    expect(result.headers?.['Content-Type']).toBe('application/fhir+json; charset=utf-8');
    const logged = logs.records().find((r) => r.message === 'unhandled error');
    expect(logged).toMatchObject({ level: 'ERROR', errorName: 'TypeError' });
    expect(logs.text()).not.toContain('ZAC5361');
  });

  it('pass an ApiError through with its status, code and headers', async () => {
    const result = await call(async () => { throw new ApiError('NOT_FOUND'); });
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body).issue[0].details.coding[0].code).toBe('NOT_FOUND');
  });

  it('answer 504 before the Lambda deadline when the business function is too slow', async () => {
    const result = await call(() => new Promise<never>(() => undefined), 700);
    expect(result.statusCode).toBe(504);
    expect(JSON.parse(result.body).issue[0].details.coding[0].code).toBe('GATEWAY_TIMEOUT');
  });

  it.each([
    ['DynamoDB throttling, after the SDK retries', 'dependency-throttled', () => new ProvisionedThroughputExceededException({ message: 'rate of requests exceeds the allowed throughput', $metadata: { httpStatusCode: 400 } })],
    ['a refused connection inside a Powertools wrapper', 'dependency-transient', () => new IdempotencyPersistenceLayerError('Failed to save in progress record', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }) })],
    ['an SDK request timeout', 'dependency-transient', () => Object.assign(new Error('Connection timed out after 2000 ms'), { name: 'TimeoutError' })],
  ])('answer 503 with Retry-After, revealing nothing, for %s', async (_case, fault, error) => {
    const result = await call(async () => { throw error(); });
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(result.body).issue[0].details.coding[0].code).toBe('SERVICE_UNAVAILABLE');
    expect(result.body).not.toMatch(/throughput|ECONNREFUSED|8000|Powertools|2000/);
    expect(logs.records().find((r) => r.message === 'dependency unavailable')).toMatchObject({ level: 'WARN', fault });
  });

  it('keep a non-transient AWS error an opaque 500', async () => {
    const result = await call(async () => { throw new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: { httpStatusCode: 400 } }); });
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['Retry-After']).toBeUndefined();
  });
});
