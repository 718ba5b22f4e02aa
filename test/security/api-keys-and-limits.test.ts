/**
 * The gateway's API key rule and usage plans over HTTPS, in front of the real handlers.
 *
 * "A key from another plan" means here: a real, enabled API key issued under a usage plan that
 * is not attached to this API's stage (API Gateway answers such a key 403, like an unknown one).
 * It is made by a second key store, served by a second gateway where it works. A key of an
 * attached plan is metered by its own plan only: exhausting one key's quota leaves the other
 * plan's key working.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateApiKeys } from '../../packages/local/src/api-keys.js';
import type { Response, SecurityStack } from './harness.js';
import { expectNoSecretsLogged, expectRefused, outcomeCodeOf, patientBody, startSecurityStack } from './harness.js';

let s: SecurityStack;
let clinical: string;
let patientId: string;
beforeAll(async () => {
  s = await startSecurityStack({
    apiKeys: [{ name: 'standard', plan: 'standard' }, { name: 'partner', plan: 'partner' }, { name: 'revoked', plan: 'standard', enabled: false }],
  });
  clinical = await s.token('clinical');
  ({ patientId } = await s.seedPatient());
});
afterAll(() => s?.close());

const create = (headers: Record<string, string | undefined>, init: { query?: string; baseUrl?: string } = {}) =>
  s.call(`/Patient${init.query ?? ''}`, { method: 'POST', headers: { authorization: `Bearer ${clinical}`, ...headers }, body: JSON.stringify(patientBody()), ...(init.baseUrl ? { baseUrl: init.baseUrl } : {}) });
const read = (apiKey: string, baseUrl?: string) =>
  s.call(`/Patient/${patientId}`, { headers: { authorization: `Bearer ${clinical}`, 'x-api-key': apiKey }, ...(baseUrl ? { baseUrl } : {}) });

describe('API key rule', () => {
  it('accepts the standard and partner keys (so the refusals below are the key rule)', async () => {
    for (const name of ['standard', 'partner']) {
      const response = await read(s.stack.apiKeys[name] as string);
      expect(response.status, name).toBe(200);
      await response.arrayBuffer();
    }
  });

  it.each([
    ['missing', () => ({ 'x-api-key': undefined })],
    ['empty', () => ({ 'x-api-key': '' })],
    ['wrong by one character', () => ({ 'x-api-key': `${(s.stack.apiKeys.standard as string).slice(0, -1)}${(s.stack.apiKeys.standard as string).endsWith('A') ? 'B' : 'A'}` })],
    ['in another letter case', () => ({ 'x-api-key': (s.stack.apiKeys.standard as string).toLowerCase() })],
    ['disabled', () => ({ 'x-api-key': s.stack.apiKeys.revoked as string })],
    ['sent twice', () => ({ 'x-api-key': `${s.stack.apiKeys.standard}, ${s.stack.apiKeys.standard}` })],
    ['sent as a bearer token instead', () => ({ 'x-api-key': undefined, authorization: `Bearer ${s.stack.apiKeys.standard}` })],
    ['holding a NoSQL operator', () => ({ 'x-api-key': '{"$gt":""}' })],
  ])('API key %s → 403 API_KEY_INVALID before any handler', async (_case, headers) => {
    const before = await s.snapshot();
    await expectRefused(s, await create(headers()), before, { status: 403, code: 'API_KEY_INVALID', layer: 'gateway' });
  });

  it('a key in the query string is not a key', async () => {
    const before = await s.snapshot();
    const response = await create({ 'x-api-key': undefined }, { query: `?api_key=${s.stack.apiKeys.standard}` });
    await expectRefused(s, response, before, { status: 403, code: 'API_KEY_INVALID', layer: 'gateway' });
  });

  it('a key from another plan (one not attached to this API) is refused with 403 API_KEY_INVALID', async () => {
    const otherApi = await loadOrCreateApiKeys(join(s.stateDir, 'other-api', 'api-keys.json'), [{ name: 'other', plan: 'standard' }]);
    const foreign = otherApi.values().other as string;
    s.remember(foreign);
    const { baseUrl: where } = await s.extraGateway({ apiKeys: otherApi });
    const there = await read(foreign, where);
    expect(there.status).toBe(200); // a real, enabled key: valid where its plan is attached
    await there.arrayBuffer();
    const before = await s.snapshot();
    await expectRefused(s, await create({ 'x-api-key': foreign }), before, { status: 403, code: 'API_KEY_INVALID', layer: 'gateway' });
  });
});

/** A 429 says nothing about the limits: no limit, remaining or reset header. */
function expectNoLimitsRevealed(response: Response) {
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect([...response.headers.keys()].filter((name) => /ratelimit|quota|limit|remaining|reset/i.test(name))).toEqual([]);
}

describe('burst and quota exhaustion', () => {
  it('a burst over the plan\'s bucket: exactly the bucket is served, the rest is 429 THROTTLED before any handler', async () => {
    const { baseUrl } = await s.extraGateway({ config: { usagePlans: { partner: { throttle: { rateLimit: 0.001, burstLimit: 3 } } } } });
    const before = await s.snapshot();
    const responses = await Promise.all(Array.from({ length: 8 }, () => read(s.stack.apiKeys.partner as string, baseUrl)));
    const served = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status !== 200);
    expect(served).toHaveLength(3);
    for (const response of refused) {
      expectNoLimitsRevealed(response);
      expect([response.status, outcomeCodeOf(await response.text())]).toEqual([429, 'THROTTLED']);
      expect(s.log.of(response)[0]).toMatchObject({ errorResponseType: 'THROTTLED', integrationLatency: null });
    }
    await Promise.all(served.map((r) => r.arrayBuffer()));
    const after = await s.snapshot();
    expect(after.resources).toEqual(before.resources);
    expect(after.auditCount - before.auditCount).toBe(3);
    expectNoSecretsLogged(s);
  });

  it('a burst over the stage throttle is refused across keys and plans', async () => {
    const { baseUrl } = await s.extraGateway({ config: { stageThrottle: { rateLimit: 0.001, burstLimit: 2 } } });
    const before = await s.snapshot();
    const keys = ['standard', 'partner', 'standard', 'partner', 'standard'].map((name) => s.stack.apiKeys[name] as string);
    const responses = await Promise.all(keys.map((key) => read(key, baseUrl)));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(2);
    for (const response of responses.filter((r) => r.status !== 200)) {
      expectNoLimitsRevealed(response);
      expect([response.status, outcomeCodeOf(await response.text())]).toEqual([429, 'THROTTLED']);
    }
    await Promise.all(responses.map((r) => r.bodyUsed ? undefined : r.arrayBuffer()));
    const after = await s.snapshot();
    expect(after.resources).toEqual(before.resources);
    expect(after.auditCount - before.auditCount).toBe(2);
    expectNoSecretsLogged(s);
  });

  it('a key over its quota gets 429 QUOTA_EXCEEDED, writes nothing, and the other plan\'s key is still served', async () => {
    const { baseUrl } = await s.extraGateway({ config: { usagePlans: { standard: { quota: { limit: 2, period: 'DAY' } } } } });
    for (let i = 0; i < 2; i += 1) {
      const response = await read(s.stack.apiKeys.standard as string, baseUrl);
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    const before = await s.snapshot();
    const refused = await create({ 'x-api-key': s.stack.apiKeys.standard as string }, { baseUrl });
    expectNoLimitsRevealed(refused);
    await expectRefused(s, refused, before, { status: 429, code: 'QUOTA_EXCEEDED', layer: 'gateway' });
    const partner = await read(s.stack.apiKeys.partner as string, baseUrl);
    expect(partner.status).toBe(200);
    await partner.arrayBuffer();
  });
});
