import type { RouteDefinition } from '@health-api/core';
import { ApiError, tables } from '@health-api/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestDynamo } from '../../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../../test/support/dynamo.js';
import { lambdaContext, proxyEvent } from '../../../../test/support/events.js';
import { configureAuth } from '../../../../test/support/handler-env.js';
import type { TestIssuer } from '../../../../test/support/issuer.js';
import { startTestIssuer } from '../../../../test/support/issuer.js';
import { captureLogs } from '../../../../test/support/logs.js';
import { secureHandler } from '../secure-handler.js';
import { compiledAtRunTime } from '../request-validation/compile-schema.js';

const route = {
  id: 'test-idempotent-create',
  method: 'POST',
  path: '/v1/Patient',
  interaction: 'create',
  resourceType: 'Patient',
  scope: { resourceType: 'Patient', permission: 'c' },
  apiKey: true,
  maxBodyBytes: 1024,
  timeoutSeconds: 10,
  memoryMb: 128,
  idempotency: { required: false },
  schemas: {
    headers: { 'idempotency-key': { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9_.:-]{8,128}$' } },
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['resourceType', 'family'],
      properties: { resourceType: { type: 'string', const: 'Patient' }, family: { type: 'string', maxLength: 40 } },
    },
  },
} as const satisfies RouteDefinition;
const requiredRoute = { ...route, id: 'test-idempotent-required', idempotency: { required: true } } as const satisfies RouteDefinition;

let issuer: TestIssuer;
let dynamo: TestDynamo;
let token: string;
let calls = 0;
/** Requests whose family is `Slow` wait here until the test opens the gate. */
let gate: { open: () => void; entered: Promise<void>; wait: Promise<void>; enter: () => void };
const newGate = () => {
  let open = () => {};
  let enter = () => {};
  const wait = new Promise<void>((resolve) => { open = resolve; });
  const entered = new Promise<void>((resolve) => { enter = resolve; });
  return { open, wait, entered, enter };
};

const business = async ({ body }: { body: { family: string } }) => {
  calls += 1;
  if (body.family.startsWith('Slow')) {
    gate.enter();
    await gate.wait;
  }
  if (body.family === 'Fail') throw new ApiError('BUSINESS_RULE');
  return { statusCode: 201, body: { resourceType: 'Patient', id: `p${calls}`, family: body.family }, headers: { ETag: `W/"${calls}"` } };
};
const handler = secureHandler(route, business, compiledAtRunTime(route));
const requiredHandler = secureHandler(requiredRoute, business, compiledAtRunTime(requiredRoute));

function post(family: string, key?: string, options: { handler?: typeof handler; token?: string } = {}): Promise<APIGatewayProxyResult> {
  return (options.handler ?? handler)(proxyEvent({
    method: 'POST',
    path: '/v1/Patient',
    headers: { authorization: `Bearer ${options.token ?? token}`, 'content-type': 'application/fhir+json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify({ resourceType: 'Patient', family }),
  }), lambdaContext());
}

const code = (result: APIGatewayProxyResult) =>
  (JSON.parse(result.body) as { issue?: Array<{ details: { coding: Array<{ code: string }> } }> }).issue?.[0]?.details.coding[0]?.code;
const records = () => dynamo.scan(tables.idempotency.name);

beforeAll(async () => {
  issuer = await startTestIssuer();
  dynamo = await startTestDynamo();
  configureAuth(issuer);
  process.env.LOCAL_DATA_KEY_FILE = join(mkdtempSync(join(tmpdir(), 'idempotency-keys-')), 'data-keys.json');
  token = await issuer.token({ scope: 'system/Patient.c' });
});
afterAll(async () => {
  await issuer.close();
  await dynamo.close();
});
beforeEach(() => {
  calls = 0;
  gate = newGate();
});

describe('idempotent creates', () => {
  it('answers a retry with the same key and body with the first response, running the create once', async () => {
    const key = crypto.randomUUID();
    const first = await post('Ngata', key);
    const retry = await post('Ngata', key);
    expect(first.statusCode).toBe(201);
    expect(retry).toMatchObject({ statusCode: 201, body: first.body });
    expect(retry.headers?.ETag).toBe('W/"1"');
    expect(calls).toBe(1);
  });

  it('keeps stored responses sealed: the idempotency table holds no response content in clear', async () => {
    await post('Sealedfamily', crypto.randomUUID());
    const text = JSON.stringify(await records());
    expect(text).not.toContain('Sealedfamily');
    expect(text).toContain('COMPLETED');
  });

  it('answers 409 to concurrent duplicates without releasing the first request\'s lock, and the first completes', async () => {
    const key = crypto.randomUUID();
    const first = post('Slow', key);
    await gate.entered;
    const duplicates = await Promise.all([post('Slow', key), post('Slow', key)]);
    for (const duplicate of duplicates) {
      expect([duplicate.statusCode, code(duplicate)]).toEqual([409, 'IDEMPOTENCY_IN_PROGRESS']);
      expect(duplicate.headers?.['Retry-After']).toBe('1');
    }
    // Had a duplicate deleted the lock (upstream issue 5675), this one would start a second create.
    const afterDuplicates = await post('Slow', key);
    expect([afterDuplicates.statusCode, code(afterDuplicates)]).toEqual([409, 'IDEMPOTENCY_IN_PROGRESS']);
    gate.open();
    const done = await first;
    expect(done.statusCode).toBe(201);
    expect(calls).toBe(1);
    expect((await post('Slow', key)).body).toBe(done.body);
  });

  it('answers 422 to the same key with another body, in progress or done, and keeps the stored result', async () => {
    const key = crypto.randomUUID();
    const first = post('Slow-original', key);
    await gate.entered;
    const whileRunning = await post('Changed', key);
    expect([whileRunning.statusCode, code(whileRunning)]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    gate.open();
    const done = await first;
    const afterwards = await post('Changed', key);
    expect([afterwards.statusCode, code(afterwards)]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect((await post('Slow-original', key)).body).toBe(done.body);
    expect(calls).toBe(1);
  });

  it('releases the lock when its own create fails, so the client can retry', async () => {
    const key = crypto.randomUUID();
    const failed = await post('Fail', key);
    expect([failed.statusCode, code(failed)]).toEqual([422, 'BUSINESS_RULE']);
    expect(calls).toBe(1);
    const again = await post('Fail', key);
    expect(again.statusCode).toBe(422);
    expect(calls).toBe(2);
  });

  it('does not deduplicate requests without a key, unless the route requires one', async () => {
    await post('Nokey');
    await post('Nokey');
    expect(calls).toBe(2);
    const refused = await post('Nokey', undefined, { handler: requiredHandler });
    expect([refused.statusCode, code(refused)]).toEqual([400, 'IDEMPOTENCY_KEY_REQUIRED']);
    expect(calls).toBe(2);
  });

  it('scopes keys to the caller: another client with the same key gets its own create', async () => {
    const key = crypto.randomUUID();
    await post('Ngata', key);
    const other = await post('Ngata', key, { token: await issuer.token({ scope: 'system/Patient.c', client_id: 'other', sub: 'other' }) });
    expect(other.statusCode).toBe(201);
    expect(calls).toBe(2);
  });
});

describe('idempotency records', () => {
  const recordOf = async (key: string, family: string) => {
    const before = new Set((await records()).map((r) => r.id));
    await post(family, key);
    return (await records()).find((r) => !before.has(r.id)) as { id: string; data: unknown };
  };

  it('answers 503 SERVICE_UNAVAILABLE (logged), not 409, when Powertools finds the record inconsistent; the create does not run again', async () => {
    const key = crypto.randomUUID();
    const { id } = await recordOf(key, 'Ngata');
    // A record Powertools reads as expired while it cannot take the key: its inconsistent state, after its own retries.
    await dynamo.documents.send(new UpdateCommand({ TableName: tables.idempotency.name, Key: { id }, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': 'EXPIRED' } }));
    const stored = await records();
    const logs = captureLogs();
    try {
      const retry = await post('Ngata', key);
      expect([retry.statusCode, code(retry)]).toEqual([503, 'SERVICE_UNAVAILABLE']);
      expect(retry.headers?.['Retry-After']).toBe('1');
      expect(logs.records().some((r) => r.message === 'idempotency record inconsistent' && r.route === route.id)).toBe(true);
    } finally {
      logs.restore();
    }
    expect(calls).toBe(1);
    expect(await records()).toEqual(stored);
  });

  it('seals each stored result for its own key: a result copied onto another key\'s record does not open, so it is never replayed', async () => {
    const first = await recordOf(crypto.randomUUID(), 'Firstfamily');
    const secondKey = crypto.randomUUID();
    const second = await recordOf(secondKey, 'Secondfamily');
    await dynamo.documents.send(new UpdateCommand({ TableName: tables.idempotency.name, Key: { id: second.id }, UpdateExpression: 'SET #d = :d', ExpressionAttributeNames: { '#d': 'data' }, ExpressionAttributeValues: { ':d': first.data } }));
    const retry = await post('Secondfamily', secondKey);
    expect([retry.statusCode, code(retry)]).toEqual([500, 'INTERNAL_ERROR']);
    expect(retry.body).not.toContain('Firstfamily');
    expect(calls).toBe(2);
  });
});
