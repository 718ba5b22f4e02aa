/**
 * Authorisation over HTTPS. Scope escalation: every local system client against every manifest
 * route its scopes do not reach (the pairs are computed from `routeList` and the client's
 * scopes, never listed by hand), with a token for which the client asked for every scope any
 * client has. Patient compartment: a patient-bound token from the SMART app's authorization
 * code + PKCE flow against another patient's records.
 */
import type { RouteDefinition } from '@health-api/core';
import { NHI_SYSTEM } from '@health-api/core';
import { routeList, routes } from '@health-api/functions';
import { generatedExamples } from '../../packages/functions/src/testing/resource-examples.js';
import type { LocalStack } from '@health-api/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationCodeFlow, jwtParts } from '../local/stack-client.js';
import type { SecurityStack } from './harness.js';
import { expectNoSecretsLogged, expectRefused, observationBody, parseScope, patientBody, requiredSearch, scopesReach, startSecurityStack } from './harness.js';

type ClientName = keyof LocalStack['clients'];

let s: SecurityStack;
type Seeded = Awaited<ReturnType<SecurityStack['seedPatient']>>;
let seeded: Seeded;
let other: Seeded;
beforeAll(async () => {
  s = await startSecurityStack();
  seeded = await s.seedPatient();
  other = await s.seedPatient();
});
afterAll(() => s?.close());

/** A request that only the scope check stands in front of: real ids, valid bodies and preconditions. */
function requestFor(route: RouteDefinition, target: Seeded) {
  const generated = route.resourceType ? generatedExamples[route.resourceType] : undefined;
  const id = route.resourceType === 'Observation' ? target.observationId : (route.resourceType && target.ids[route.resourceType]) || target.patientId;
  const path = route.path.replace(/^\/v1/, '').replace('{id}', id).replace('{vid}', '1');
  const query = route.interaction === 'search-type' ? `?${new URLSearchParams(requiredSearch(route, target))}` : '';
  const body = route.interaction === 'create'
    ? (route.resourceType === 'Observation' ? observationBody(target.patientId) : generated?.(target.patientId) ?? patientBody())
    : route.interaction === 'update' ? { ...patientBody(), id } : undefined;
  return {
    path: `${path}${query}`,
    method: route.method,
    headers: route.interaction === 'update' ? { 'if-match': 'W/"1"' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
  };
}

const clientNames: ClientName[] = ['clinical', 'reader', 'auditor', 'none'];
const allScopes = (stack: LocalStack) => [...new Set(Object.values(stack.clients).flatMap((c) => c.scope.split(' ').filter(Boolean)))].join(' ');

describe('scope escalation', () => {
  it('is tested for every client the stack has', () => {
    expect(Object.keys(s.stack.clients).sort()).toEqual([...clientNames].sort());
  });

  it.each(clientNames)('%s: asking for every scope of every client gets only its own', async (name) => {
    const granted = String(jwtParts(await s.token(name, allScopes(s.stack))).payload.scope ?? '').split(' ').filter(Boolean);
    const own = s.stack.clients[name].scope.split(' ').filter(Boolean);
    // A client may get what it asked for within its own scopes, each at most as wide as one of them.
    for (const scope of granted) {
      const asked = parseScope(scope);
      const covered = own.map(parseScope).some((o) => o !== undefined && o.context === asked?.context && o.type === asked.type
        && [...asked.letters].every((letter) => o.letters.includes(letter)));
      expect(covered, scope).toBe(true);
    }
    expectNoSecretsLogged(s);
  });

  it.each(clientNames)('%s: refused with 403 INSUFFICIENT_SCOPE on each route its scopes do not reach', async (name) => {
    const own = s.stack.clients[name].scope.split(' ').filter(Boolean);
    const forbidden = routeList.filter((route) => !scopesReach(own, route));
    expect(forbidden.length + routeList.filter((route) => scopesReach(own, route)).length).toBe(routeList.length);
    if (name !== 'clinical') expect(forbidden.length).toBeGreaterThan(0);
    const token = await s.token(name, allScopes(s.stack));
    for (const route of forbidden) {
      const request = requestFor(route, seeded);
      const before = await s.snapshot();
      const response = await s.call(request.path, { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } });
      await expectRefused(s, response, before, { status: 403, code: 'INSUFFICIENT_SCOPE', layer: 'handler' });
      expect(response.headers.get('www-authenticate'), route.id).toBe('Bearer error="insufficient_scope"');
    }
  });

  it('refuses a system/*.rs token on the audit trail with 403 INSUFFICIENT_SCOPE; the same token reads health records', async () => {
    const token = await s.forge({ scope: 'system/*.rs' });
    const audit = requestFor(routes.auditEventSearch, seeded);
    const before = await s.snapshot();
    const refused = await s.call(audit.path, { ...audit, headers: { authorization: `Bearer ${token}` } });
    await expectRefused(s, refused, before, { status: 403, code: 'INSUFFICIENT_SCOPE', layer: 'handler' });
    expect(refused.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    const read = await s.call(`/Patient/${seeded.patientId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);
    await read.arrayBuffer();
  });

  it('lets each client through on the routes its scopes reach (the refusals above are the scope check)', async () => {
    for (const name of clientNames) {
      const token = await s.token(name);
      const reachable = routeList.filter((route) => route.scope && scopesReach(s.stack.clients[name].scope.split(' '), route) && route.method === 'GET');
      for (const route of reachable) {
        const request = requestFor(route, seeded);
        const response = await s.call(request.path, { ...request, headers: { authorization: `Bearer ${token}` } });
        expect(response.status, `${name} ${route.id}`).toBe(200);
        await response.arrayBuffer();
      }
    }
    expectNoSecretsLogged(s);
  });
});

describe('patient compartment crossing', () => {
  let patientToken: string;
  const asPatient = (path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) =>
    s.call(path, { ...init, headers: { ...init.headers, authorization: `Bearer ${patientToken}` } });

  beforeAll(async () => {
    const flow = await authorizationCodeFlow(s.client, s.stack, {
      login: seeded.patientId,
      // The app's allowance plus escalations: write letters, another context, another resource type.
      scope: 'openid launch/patient patient/Patient.rs patient/Observation.rs patient/Patient.cud patient/Observation.c system/Patient.cruds patient/AuditEvent.rs',
    });
    expect(flow.status).toBe(200);
    patientToken = flow.tokens.access_token as string;
    s.remember(patientToken, String(flow.tokens.refresh_token ?? ''), String(flow.tokens.id_token ?? ''));
  });

  it('gets a token bound to its own patient, with no scope beyond the app\'s allowance', () => {
    const { payload } = jwtParts(patientToken);
    expect(payload.patient).toBe(seeded.patientId);
    expect(String(payload.scope).split(' ').sort()).toEqual(['patient/Observation.rs', 'patient/Patient.rs']);
  });

  it('reads its own records (so the refusals below are the compartment)', async () => {
    for (const path of [`/Patient/${seeded.patientId}`, `/Observation/${seeded.observationId}`]) {
      const response = await asPatient(path);
      expect(response.status, path).toBe(200);
      await response.arrayBuffer();
    }
  });

  it.each([
    ['another patient', () => `/Patient/${other.patientId}`],
    ['another patient\'s observation', () => `/Observation/${other.observationId}`],
  ])('reading %s answers 404 NOT_FOUND, as for a record that does not exist', async (_case, path) => {
    const before = await s.snapshot();
    await expectRefused(s, await asPatient(path()), before, { status: 404, code: 'NOT_FOUND', layer: 'handler' });
  });

  it.each([
    ['updating another patient', () => ({ path: `/Patient/${other.patientId}`, method: 'PUT', headers: { 'if-match': 'W/"1"' }, body: JSON.stringify({ ...patientBody(), id: other.patientId }) })],
    ['deleting another patient', () => ({ path: `/Patient/${other.patientId}`, method: 'DELETE' })],
    ['deleting itself', () => ({ path: `/Patient/${seeded.patientId}`, method: 'DELETE' })],
    ['creating an observation for another patient', () => ({ path: '/Observation', method: 'POST', body: JSON.stringify(observationBody(other.patientId)) })],
    ['creating a patient', () => ({ path: '/Patient', method: 'POST', body: JSON.stringify(patientBody()) })],
  ])('%s answers 403 INSUFFICIENT_SCOPE', async (_case, request) => {
    const { path, ...init } = request();
    const before = await s.snapshot();
    await expectRefused(s, await asPatient(path, init), before, { status: 403, code: 'INSUFFICIENT_SCOPE', layer: 'handler' });
  });

  it.each([
    ['observations of another patient', () => `/Observation?patient=${other.patientId}`, () => []],
    ['patients by an NHI both patients share', () => `/Patient?identifier=${encodeURIComponent(`${NHI_SYSTEM}|${patientBody().identifier[0]?.value}`)}`, () => [seeded.patientId]],
  ])('searching %s returns its own compartment only', async (_case, path, expectedIds) => {
    const before = await s.snapshot();
    const response = await asPatient(path());
    expect(response.status).toBe(200);
    const bundle = (await response.json()) as { entry?: Array<{ resource: { id: string } }> };
    expect((bundle.entry ?? []).map((e) => e.resource.id)).toEqual(expectedIds());
    const after = await s.snapshot();
    expect(after.resources).toEqual(before.resources);
    expect(after.auditCount - before.auditCount).toBe(1);
    expectNoSecretsLogged(s);
  });

  it('a user/ token reaches no record, its own login\'s included', async () => {
    const flow = await authorizationCodeFlow(s.client, s.stack, { login: seeded.patientId, scope: 'openid user/Patient.rs' });
    const userToken = flow.tokens.access_token as string;
    s.remember(userToken);
    const before = await s.snapshot();
    const response = await s.call(`/Patient/${seeded.patientId}`, { headers: { authorization: `Bearer ${userToken}` } });
    await expectRefused(s, response, before, { status: 404, code: 'NOT_FOUND', layer: 'handler' });
  });
});
