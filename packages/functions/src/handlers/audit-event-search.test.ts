import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../routes.js';
import type { ApiHarness } from '../testing/api-harness.js';
import { startApiHarness } from '../testing/api-harness.js';

let api: ApiHarness;
let auditor: string;
beforeAll(async () => {
  api = await startApiHarness();
  auditor = await api.token('system/AuditEvent.rs', { client_id: 'auditor' });
});
afterAll(() => api.close());

const today = () => new Date().toISOString().slice(0, 10);
type Bundle = { resourceType: string; type: string; entry: Array<{ resource: { resourceType: string; id: string; action: string; outcome?: string; subtype: Array<{ code: string }>; agent: Array<{ who: { identifier?: { value: string } } }>; entity: Array<{ what: { reference?: string } }> } }>; link: Array<{ relation: string; url: string }> };

describe('GET /v1/AuditEvent', () => {
  it('returns the AuditEvents of a day for one resource, written by the calls that touched it', async () => {
    const created = await api.call(routes.patientCreate, {
      body: { resourceType: 'Patient', name: [{ family: 'Tane', given: ['Hemi'] }], birthDate: '1980-02-03' },
    });
    expect(created.status).toBe(201);
    const id = created.json<{ id: string }>().id;
    await api.call(routes.patientRead, { params: { id } });

    const answer = await api.call(routes.auditEventSearch, { token: auditor, query: { date: today(), entity: `Patient/${id}` } });
    expect(answer.status).toBe(200);
    const bundle = answer.json<Bundle>();
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    // The create is recorded twice (its intent, then its outcome); the read once.
    const described = bundle.entry.map((e) => `${e.resource.action}:${e.resource.outcome ?? e.resource.subtype.at(-1)?.code}`);
    expect(described.sort()).toEqual(['C:0', 'C:intent', 'R:0']);
    expect(bundle.entry.every((e) => e.resource.resourceType === 'AuditEvent' && /^[A-Za-z0-9.-]{1,64}$/.test(e.resource.id))).toBe(true);
    expect(answer.body).not.toContain('Tane');
  });

  it('takes the date, reference and token forms FHIR gives its parameters', async () => {
    const created = await api.call(routes.patientCreate, { body: { resourceType: 'Patient', name: [{ family: 'Rua' }] } });
    const id = created.json<{ id: string }>().id;
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const found = async (query: Record<string, string>) => {
      const answer = await api.call(routes.auditEventSearch, { token: auditor, query });
      expect(answer.status, JSON.stringify(query)).toBe(200);
      return answer.json<Bundle>().entry.length;
    };
    for (const date of [`ge${yesterday}`, `gt${yesterday}`, today().slice(0, 7), `ap${today()}`, `${today()}T00:00:00Z`]) {
      expect(await found({ date, entity: `Patient/${id}` }), date).toBe(2);
    }
    expect(await found({ date: `lt${today()}`, entity: `Patient/${id}` })).toBe(0);
    expect(await found({ date: `ne${today()}`, entity: `Patient/${id}` })).toBe(0);
    expect(await found({ date: today(), entity: id })).toBe(2);
    expect(await found({ date: today(), entity: `https://api.example.test/test/v1/Patient/${id}` })).toBe(2);
    expect(await found({ date: today(), entity: `https://elsewhere.example/v1/Patient/${id}` })).toBe(0);
    expect(await found({ date: today(), entity: `Patient/${id}`, agent: 'nobody,|test-client' })).toBe(2);
    expect(await found({ date: today(), entity: `Patient/${id}`, agent: 'urn:some-system|test-client' })).toBe(0);
  });

  it('records the resources a search disclosed, as entities of its AuditEvent', async () => {
    const patient = await api.call(routes.patientCreate, {
      body: { resourceType: 'Patient', name: [{ family: 'Rangi', given: ['Mere'] }], birthDate: '1975-06-07' },
    });
    const patientId = patient.json<{ id: string }>().id;
    const observations: string[] = [];
    for (const effectiveDateTime of ['2024-01-01T09:00:00Z', '2024-02-01T09:00:00Z']) {
      const answer = await api.call(routes.observationCreate, {
        body: {
          resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
          subject: { reference: `Patient/${patientId}` }, effectiveDateTime, valueQuantity: { value: 72, unit: 'beats/min', system: 'http://unitsofmeasure.org', code: '/min' },
        },
      });
      observations.push(`Observation/${answer.json<{ id: string }>().id}`);
    }
    expect((await api.call(routes.observationSearch, { query: { patient: `Patient/${patientId}` } })).status).toBe(200);

    type Recorded = { subtype: Array<{ code: string }>; entity: Array<{ what: { reference?: string; identifier?: { system: string } } }> };
    const searches = (await api.dynamo.scan('Audit')).map((item) => item.event as Recorded)
      .filter((event) => event.subtype[0]?.code === 'search-type' && event.entity.some((e) => e.what.reference === observations[0]));
    expect(searches.map((event) => event.entity.map((e) => e.what.reference ?? e.what.identifier?.system))).toEqual([
      ['Observation', ...observations, 'https://api.example.health.nz/ns/request-id'],
    ]);
  });

  it('filters by agent and pages with an opaque cursor', async () => {
    const reader = await api.token('system/Patient.r', { client_id: 'paging-reader', sub: 'paging-reader' });
    for (let i = 0; i < 3; i += 1) await api.call(routes.patientRead, { params: { id: `missing-${i}` }, token: reader });
    const first = await api.call(routes.auditEventSearch, { token: auditor, query: { date: today(), agent: 'paging-reader', _count: '2' } });
    const page = first.json<Bundle>();
    expect(page.entry).toHaveLength(2);
    expect(page.entry.every((e) => e.resource.agent[0]?.who.identifier?.value === 'paging-reader')).toBe(true);
    const next = page.link.find((l) => l.relation === 'next');
    expect(next).toBeDefined();
    const cursor = new URL(next?.url ?? '', 'https://x').searchParams.get('_cursor') ?? '';
    const second = await api.call(routes.auditEventSearch, { token: auditor, query: { date: today(), agent: 'paging-reader', _count: '2', _cursor: cursor } });
    expect(second.json<Bundle>().entry.length).toBeGreaterThanOrEqual(1);
  });

  it('is refused to tokens without a system AuditEvent scope, and without a date', async () => {
    expect((await api.call(routes.auditEventSearch, { query: { date: today() } })).status).toBe(403);
    const patientBound = await api.token('patient/AuditEvent.rs', { patient: 'p1' });
    expect((await api.call(routes.auditEventSearch, { token: patientBound, query: { date: today() } })).status).toBe(403);
    expect((await api.call(routes.auditEventSearch, { token: auditor, query: {} })).status).toBe(400);
  });
});
