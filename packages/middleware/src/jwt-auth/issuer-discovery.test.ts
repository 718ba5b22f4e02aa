/**
 * secureHandler with the JWKS found through the issuer's discovery document (no AUTH_JWKS_URI),
 * for an issuer whose `iss` ends in a slash, and with that issuer down at cold start: a real
 * issuer over HTTPS, real tokens, the whole chain.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestDynamo } from '../../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../../test/support/dynamo.js';
import { configureAuth } from '../../../../test/support/handler-env.js';
import type { TestIssuer } from '../../../../test/support/issuer.js';
import { startTestIssuer } from '../../../../test/support/issuer.js';
import { countingReadHandler, outcomeCode as code } from '../../../../test/support/read-handler.js';
import { captureLogs } from '../../../../test/support/logs.js';

const REFETCH_INTERVAL_SECONDS = 1;
let issuer: TestIssuer;
let dynamo: TestDynamo;
const { read, calls, resetCalls } = countingReadHandler();

beforeAll(async () => {
  issuer = await startTestIssuer(undefined, { trailingSlash: true });
  dynamo = await startTestDynamo();
  configureAuth(issuer, { AUTH_JWKS_URI: '', AUTH_JWKS_REFETCH_INTERVAL_SECONDS: String(REFETCH_INTERVAL_SECONDS) });
});
afterAll(async () => {
  await issuer.close();
  await dynamo.close();
});
beforeEach(resetCalls);


describe('secureHandler with an issuer found by discovery', () => {
  it('answers 503 SERVICE_UNAVAILABLE with Retry-After while the issuer is down at cold start; the business function never runs', async () => {
    issuer.setDown(true);
    const logs = captureLogs();
    try {
      const token = await issuer.token();
      for (let i = 0; i < 3; i += 1) {
        const result = await read(token);
        expect([result.statusCode, code(result)]).toEqual([503, 'SERVICE_UNAVAILABLE']);
        expect(Number(result.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
        expect(Number(result.headers?.['Retry-After'])).toBeLessThanOrEqual(REFETCH_INTERVAL_SECONDS);
        expect(result.headers?.['WWW-Authenticate']).toBeUndefined();
      }
      expect(calls()).toBe(0);
      expect(issuer.discoveryRequests()).toBeLessThanOrEqual(2); // one attempt (and its one retry) per interval
      expect(logs.records().filter((r) => r.message === 'security event')).toEqual([]); // not the caller's fault
      expect(logs.records().find((r) => r.message === 'dependency unavailable')).toMatchObject({ fault: 'dependency-issuer-unavailable' });
      expect(logs.text()).not.toContain(token);
    } finally {
      logs.restore();
      issuer.setDown(false);
    }
  });

  it('verifies with the keys at the discovered jwks_uri once the issuer is back, for an iss that ends in a slash', async () => {
    await new Promise((resolve) => setTimeout(resolve, REFETCH_INTERVAL_SECONDS * 1000 + 100));
    expect(issuer.issuer).toMatch(/\/$/);
    const [discovery, jwks] = [issuer.discoveryRequests(), issuer.jwksRequests()];
    for (let i = 0; i < 3; i += 1) expect((await read(await issuer.token())).statusCode).toBe(200);
    expect(calls()).toBe(3);
    expect([issuer.discoveryRequests() - discovery, issuer.jwksRequests() - jwks]).toEqual([1, 1]);
  });
});
