/**
 * A route that demands DPoP on a bearer-only stage, through the real middy chain: the test
 * issuer's tokens verified against its JWKS, proofs made with jose, replays refused by the
 * DynamoDB replay store in DynamoDB Local.
 */
import type { RouteDefinition } from '@health-api/core';
import { tables } from '@health-api/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpopClient } from '../../../../test/support/dpop.js';
import type { TestDynamo } from '../../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../../test/support/dynamo.js';
import { lambdaContext, proxyEvent } from '../../../../test/support/events.js';
import { configureAuth } from '../../../../test/support/handler-env.js';
import type { TestIssuer } from '../../../../test/support/issuer.js';
import { startTestIssuer } from '../../../../test/support/issuer.js';
import { compiledAtRunTime } from '../request-validation/compile-schema.js';
import { secureHandler } from '../secure-handler.js';

const writeRoute = {
  id: 'test-dpop-create', method: 'POST', path: '/v1/Patient', interaction: 'create', resourceType: 'Patient',
  scope: { resourceType: 'Patient', permission: 'c' }, apiKey: true, maxBodyBytes: 2048, timeoutSeconds: 5, memoryMb: 128,
  schemas: { body: { type: 'object', properties: { resourceType: { const: 'Patient' } }, required: ['resourceType'] } },
  senderConstraint: 'dpop',
} as const satisfies RouteDefinition;
const readRoute = { ...writeRoute, id: 'test-read', method: 'GET', path: '/v1/Patient/{id}', interaction: 'read', scope: { resourceType: 'Patient', permission: 'r' }, maxBodyBytes: 0, schemas: { path: { id: { type: 'string' } } }, senderConstraint: undefined } as const satisfies RouteDefinition;
/** Where the test events say they were received (test/support/events.ts). */
const WRITE_URL = 'https://api.example.test/test/v1/Patient';

let issuer: TestIssuer;
let dynamo: TestDynamo;
let calls = 0;
const business = async () => { calls += 1; return { statusCode: 201, body: { resourceType: 'Patient', id: 'p1' } }; };
const create = secureHandler(writeRoute, business, compiledAtRunTime(writeRoute));
const read = secureHandler(readRoute, async () => ({ statusCode: 200, body: { resourceType: 'Patient', id: 'p1' } }), compiledAtRunTime(readRoute));

beforeAll(async () => {
  issuer = await startTestIssuer();
  dynamo = await startTestDynamo();
  configureAuth(issuer, { AUTH_SENDER_CONSTRAINT: 'none' });
});
afterAll(async () => {
  await issuer.close();
  await dynamo.close();
});

const post = (headers: Record<string, string>) => create(proxyEvent({
  method: 'POST', path: '/v1/Patient', headers: { 'content-type': 'application/fhir+json', ...headers }, body: '{"resourceType":"Patient"}',
}), lambdaContext());
const codeOf = (body: string) => (JSON.parse(body) as { issue: Array<{ details: { coding: Array<{ code: string }> } }> }).issue[0]?.details.coding[0]?.code;

describe('a route that demands DPoP on a bearer stage', () => {
  it('refuses a plain bearer token with 401 invalid_token and the DPoP challenge; other routes still take it', async () => {
    const token = await issuer.token({ scope: 'system/Patient.cr' });
    const refused = await post({ authorization: `Bearer ${token}` });
    expect({ status: refused.statusCode, code: codeOf(refused.body) }).toEqual({ status: 401, code: 'INVALID_TOKEN' });
    expect(refused.headers?.['WWW-Authenticate']).toMatch(/^DPoP error="invalid_token", algs="ES256/);
    const other = await read(proxyEvent({ method: 'GET', path: '/v1/Patient/p1', pathParameters: { id: 'p1' }, headers: { authorization: `Bearer ${token}` } }), lambdaContext());
    expect(other.statusCode).toBe(200);
    expect(calls).toBe(0);
  });

  it('takes a DPoP-bound token with a fresh proof once; the replayed proof is 401 invalid_dpop_proof', async () => {
    const client = await dpopClient();
    const token = await issuer.token({ scope: 'system/Patient.c', cnf: { jkt: client.jkt } });
    const proof = await client.proof({ method: 'POST', url: WRITE_URL, accessToken: token });
    const accepted = await post({ authorization: `DPoP ${token}`, dpop: proof });
    expect(accepted.statusCode).toBe(201);
    const replayed = await post({ authorization: `DPoP ${token}`, dpop: proof });
    expect({ status: replayed.statusCode, code: codeOf(replayed.body) }).toEqual({ status: 401, code: 'INVALID_DPOP_PROOF' });
    expect(replayed.headers?.['WWW-Authenticate']).toMatch(/^DPoP error="invalid_dpop_proof"/);
    expect(calls).toBe(1);
    expect(await dynamo.scan(tables.dpopProofs.name)).toHaveLength(1);
  });

  it('says DPoP in the challenge of a request without any token', async () => {
    const refused = await post({});
    expect({ status: refused.statusCode, code: codeOf(refused.body) }).toEqual({ status: 401, code: 'MISSING_TOKEN' });
    expect(refused.headers?.['WWW-Authenticate']).toMatch(/^DPoP algs=/);
  });
});
