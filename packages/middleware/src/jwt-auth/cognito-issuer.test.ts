/**
 * secureHandler configured for a Cognito issuer (no audience; tokens bound by client id), as
 * infra/auth.ts deploys it, against a real issuer over HTTPS that signs Cognito-shaped tokens:
 * `token_use=access`, `client_id`, no `aud`, no `typ`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestDynamo } from '../../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../../test/support/dynamo.js';
import { configureAuth } from '../../../../test/support/handler-env.js';
import type { TestIssuer } from '../../../../test/support/issuer.js';
import { startTestIssuer } from '../../../../test/support/issuer.js';
import { countingReadHandler, outcomeCode as code } from '../../../../test/support/read-handler.js';

let issuer: TestIssuer;
let dynamo: TestDynamo;
const { read, calls, resetCalls } = countingReadHandler();

beforeAll(async () => {
  issuer = await startTestIssuer();
  dynamo = await startTestDynamo();
  configureAuth(issuer, { AUTH_ISSUER_KIND: 'cognito', AUTH_AUDIENCE: '', AUTH_CLIENT_IDS: 'clinical-app', AUTH_ALLOW_LEGACY_TYP: 'true' });
});
afterAll(async () => {
  await issuer.close();
  await dynamo.close();
});
beforeEach(resetCalls);

const cognitoToken = (claims: Record<string, unknown> = {}) =>
  issuer.token({ aud: undefined, client_id: 'clinical-app', token_use: 'access', scope: 'system/Patient.rs', ...claims }, { typ: undefined });

describe('secureHandler with a Cognito issuer', () => {
  it('accepts a Cognito access token of a listed client', async () => {
    const result = await read(await cognitoToken());
    expect(result.statusCode).toBe(200);
    expect(calls()).toBe(1);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a listed client\'s token for another API (aud set)', { aud: 'https://other.api.example/fhir' }],
    ['a token without token_use', { token_use: undefined }],
    ['an ID token', { token_use: 'id' }],
    ['another client of the pool', { client_id: 'other-app' }],
  ])('refuses %s with 401 INVALID_TOKEN; the business function never runs', async (_name, claims) => {
    const audited = (await dynamo.scan('Audit')).length;
    const result = await read(await cognitoToken(claims));
    expect([result.statusCode, code(result)]).toEqual([401, 'INVALID_TOKEN']);
    expect(result.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
    expect(calls()).toBe(0);
    expect((await dynamo.scan('Audit')).length).toBe(audited + 1);
  });
});
