import type { RouteDefinition } from '@health-api/core';
import { ApiError } from '@health-api/core';
import { AuditTrail } from '@health-api/core/data';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDynamo } from '../../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../../test/support/dynamo.js';
import { lambdaContext, proxyEvent } from '../../../../test/support/events.js';
import { errorResponse } from '../error-response/index.js';
import type { RequestState } from '../request-state.js';
import { responseHeaders } from '../response-headers/index.js';
import { auditTrailMiddleware } from './index.js';

const route = {
  id: 'patient-create', method: 'POST', path: '/v1/Patient', interaction: 'create', resourceType: 'Patient',
  scope: { resourceType: 'Patient', permission: 'c' }, apiKey: true, maxBodyBytes: 1000, timeoutSeconds: 5, memoryMb: 128, schemas: {},
} as const satisfies RouteDefinition;

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startTestDynamo();
  Object.assign(process.env, { AUTH_ISSUER: 'https://issuer.invalid', AUTH_AUDIENCE: 'https://api.invalid' });
});
afterAll(() => dynamo.close());

type Business = () => Promise<APIGatewayProxyResult>;
/**
 * The audit middleware inside the real error and header middlewares, as secureHandler orders them.
 * With `changes`, the request changes that resource first, announcing it as the repository does.
 */
function handlerWith(table: string, business: Business, changes?: string) {
  const trail = new AuditTrail(dynamo.documents, { ...dynamo.auditTables, audit: table }, dynamo.sealing);
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context, RequestState>(business)
    .use({ before: (request) => { request.internal.auth = { clientId: 'clinical', subject: 'clinical', expiresAt: 0, grants: [], patient: 'p-9' }; } })
    .use(auditTrailMiddleware(route, () => trail))
    .use(responseHeaders(route))
    .use(errorResponse())
    .use({ before: async (request) => { if (changes) await request.internal.auditIntent?.(changes); } });
}

type Event = { subtype: Array<{ code: string }>; outcome?: string; entity: Array<{ what: { identifier?: { system: string; value: string } }; detail?: unknown }> };
const eventOf = (item: Record<string, unknown>) => item.event as Event;

const created: Business = async () => ({ statusCode: 201, headers: { Location: '/v1/Patient/abc-1/_history/1' }, body: '{"name":"Aroha"}' });
const event = (headers: Record<string, string> = {}) => proxyEvent({
  method: 'POST', path: '/v1/Patient', headers: { authorization: 'Bearer eyJhbGciOi.eyJzdWIi.sig', ...headers }, body: '{"name":"Aroha","nhi":"ZAC5361"}',
});
const addedSince = async (before: Array<Record<string, unknown>>) => (await dynamo.scan('Audit'))
  .filter((item) => !before.some((b) => b.hash === item.hash))
  .sort((a, b) => String(a.seq).localeCompare(String(b.seq)));

describe('audit trail middleware', () => {
  it('writes one AuditEvent for an allowed call, naming client, patient context, source and resource', async () => {
    const before = (await dynamo.scan('Audit')).length;
    const result = await handlerWith('Audit', created)(event(), lambdaContext());
    expect(result.statusCode).toBe(201);
    const items = await dynamo.scan('Audit');
    expect(items).toHaveLength(before + 1);
    const record = items.find((i) => i.entity === 'Patient/abc-1');
    expect(record?.event).toMatchObject({
      resourceType: 'AuditEvent', type: { code: 'rest' }, subtype: [{ code: 'create' }], action: 'C', outcome: '0',
      agent: [{ who: { identifier: { value: 'clinical' } }, network: { address: '203.0.113.9' } }, { who: { reference: 'Patient/p-9' } }],
    });
    const stored = JSON.stringify(items);
    expect(stored).not.toContain('Aroha');
    expect(stored).not.toContain('ZAC5361');
    expect(stored).not.toContain('eyJ');
  });

  it('records a refusal with its error code', async () => {
    const result = await handlerWith('Audit', async () => { throw new ApiError('NOT_FOUND'); })(event(), lambdaContext());
    expect(result.statusCode).toBe(404);
    const items = await dynamo.scan('Audit');
    expect(items.some((i) => (i.event as { outcomeDesc?: string }).outcomeDesc === 'NOT_FOUND')).toBe(true);
  });

  it('withholds an allowed answer when its audit record cannot be written', async () => {
    const result = await handlerWith('NoSuchTable', created)(event(), lambdaContext());
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body).issue[0].details.coding[0].code).toBe('SERVICE_UNAVAILABLE');
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(result.body).not.toContain('Aroha');
  });

  it('keeps a refusal as it is when its audit record cannot be written', async () => {
    const result = await handlerWith('NoSuchTable', async () => { throw new ApiError('INSUFFICIENT_SCOPE'); })(event(), lambdaContext());
    expect(result.statusCode).toBe(403);
  });

  it('records a change before it is made (intent, no outcome) and then its outcome, in chain order', async () => {
    const before = await dynamo.scan('Audit');
    const result = await handlerWith('Audit', created, 'abc-2')(event(), lambdaContext());
    expect(result.statusCode).toBe(201);
    const added = await addedSince(before);
    expect(added.map((item) => [item.entity, eventOf(item).subtype.map((s) => s.code), eventOf(item).outcome])).toEqual([
      ['Patient/abc-2', ['create', 'intent'], undefined],
      ['Patient/abc-1', ['create'], '0'],
    ]);
    expect(new Set(added.map((item) => item.chain)).size).toBe(1);
    const requestIds = added.map((item) => eventOf(item).entity.at(-1)?.what.identifier?.value);
    expect(requestIds[0]).toBe(requestIds[1]);
  });

  it('pairs intent and outcome by the platform\'s request id; the client\'s Interaction-Id is only a detail', async () => {
    const before = await dynamo.scan('Audit');
    const handler = handlerWith('Audit', created, 'abc-4');
    // Two calls sending the same Interaction-Id, as a client may (by mistake or to blur its trail).
    const clientChosen = crypto.randomUUID();
    const calls = [event({ 'interaction-id': clientChosen }), event({ 'interaction-id': clientChosen })];
    for (const call of calls) expect((await handler(call, lambdaContext())).statusCode).toBe(201);
    const requestEntity = (requestId: string) => ({
      what: { identifier: { system: 'https://api.example.health.nz/ns/request-id', value: requestId } },
      detail: [{ type: 'Interaction-Id', valueString: clientChosen }],
    });
    expect((await addedSince(before)).map((item) => eventOf(item).entity.at(-1))).toEqual(
      calls.flatMap((call) => [requestEntity(call.requestContext.requestId), requestEntity(call.requestContext.requestId)]),
    );
  });

  it('refuses a change with 503 when its intent cannot be recorded: the change never runs', async () => {
    let ran = false;
    const result = await handlerWith('NoSuchTable', async () => { ran = true; return created(); }, 'abc-3')(event(), lambdaContext());
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body).issue[0].details.coding[0].code).toBe('SERVICE_UNAVAILABLE');
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(ran).toBe(false);
  });
});

