import type { RouteDefinition } from '@health-api/core';
import { ApiError } from '@health-api/core';
import { describe, expect, it } from 'vitest';
import { middyRequest, runBefore } from '../../../../test/support/middleware.js';
import type { ApiRequest } from '../request-state.js';
import { smartScopes } from './index.js';

const route = {
  id: 'obs-search', method: 'GET', path: '/v1/Observation', interaction: 'search-type', resourceType: 'Observation',
  scope: { resourceType: 'Observation', permission: 's' }, apiKey: true, maxBodyBytes: 0, timeoutSeconds: 5, memoryMb: 128, schemas: {},
} as const satisfies RouteDefinition;

function request(scope?: string): ApiRequest {
  return middyRequest({}, scope === undefined ? {} : { claims: { client_id: 'c', sub: 's', exp: 0, scope } });
}

describe('smartScopes middleware', () => {
  it('keeps only the grants that allow the route interaction', async () => {
    const r = request('patient/Observation.rs user/Patient.r system/*.s');
    await runBefore(smartScopes(route), r);
    expect(r.internal.access?.map((g) => `${g.context}/${g.resourceType}`)).toEqual(['patient/Observation', 'system/*']);
  });

  it('refuses a token without a matching grant with insufficient_scope', async () => {
    const r = request('patient/Observation.r');
    await expect(runBefore(smartScopes(route), r)).rejects.toMatchObject({ code: 'INSUFFICIENT_SCOPE', status: 403 });
  });

  it('refuses a wildcard scope on the audit trail with insufficient_scope; a grant naming AuditEvent passes', async () => {
    const auditRoute = { ...route, id: 'audit-search', path: '/v1/AuditEvent', resourceType: 'AuditEvent', scope: { resourceType: 'AuditEvent', permission: 's' } } as const satisfies RouteDefinition;
    await expect(runBefore(smartScopes(auditRoute), request('system/*.rs'))).rejects.toMatchObject({ code: 'INSUFFICIENT_SCOPE', status: 403 });
    const explicit = request('system/*.rs system/AuditEvent.s');
    await runBefore(smartScopes(auditRoute), explicit);
    expect(explicit.internal.access?.map((g) => g.resourceType)).toEqual(['AuditEvent']);
  });

  it('reads the grants of the same verified claims again only when their scope claim changed, and shares them frozen', async () => {
    const claims = { client_id: 'c', sub: 's', exp: 0, scope: 'patient/Observation.rs' };
    const first = middyRequest({}, { claims });
    const second = middyRequest({}, { claims });
    await runBefore(smartScopes(route), first);
    await runBefore(smartScopes(route), second);
    expect(second.internal.auth?.grants).toBe(first.internal.auth?.grants);
    expect(Object.isFrozen(first.internal.auth?.grants)).toBe(true);
    expect(() => (first.internal.auth?.grants as unknown as { push: (g: unknown) => void }).push({})).toThrow(TypeError);
    claims.scope = 'patient/Patient.r';
    await expect(runBefore(smartScopes(route), middyRequest({}, { claims }))).rejects.toMatchObject({ code: 'INSUFFICIENT_SCOPE' });
  });

  it('refuses when no token was verified on a protected route', async () => {
    await expect(runBefore(smartScopes(route), request())).rejects.toBeInstanceOf(ApiError);
  });

  it('lets a public route through without a token', async () => {
    const publicRoute: RouteDefinition = { ...route, scope: undefined };
    await expect(runBefore(smartScopes(publicRoute), request())).resolves.toBeUndefined();
  });
});
