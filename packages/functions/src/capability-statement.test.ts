import { describe, expect, it } from 'vitest';
import { capabilityStatement } from './capability-statement.js';
import { routeList, routes } from './routes.js';

type Statement = {
  rest: Array<{ resource: Array<{
    type: string; versioning?: string; readHistory: boolean; conditionalCreate?: boolean;
    interaction: Array<{ code: string; documentation: string }>; searchParam?: Array<{ name: string; type: string }>;
    extension?: Array<{ url: string; extension: Array<{ url: string; valueString: string }> }>;
  }> }>;
};

const statement = capabilityStatement(routeList, '2026-01-01T00:00:00.000Z') as Statement;
const resource = (type: string) => statement.rest[0]?.resource.find((r) => r.type === type);

describe('CapabilityStatement', () => {
  it('declares each search parameter of the manifest with its FHIR type, and no result parameter', () => {
    const typed = (type: string) => resource(type)?.searchParam?.map(({ name, type: fhirType }) => ({ name, type: fhirType }));
    expect(typed('Patient')).toEqual([{ name: 'identifier', type: 'token' }]);
    expect(typed('Observation')).toEqual([
      { name: 'patient', type: 'reference' }, { name: 'code', type: 'token' }, { name: 'date', type: 'date' },
    ]);
    expect(resource('Patient')?.searchParam?.[0]).toMatchObject({ documentation: expect.stringContaining('Only NHI identifiers') });
    expect(typed('AuditEvent')).toEqual([
      { name: 'date', type: 'date' }, { name: 'entity', type: 'reference' }, { name: 'agent', type: 'token' },
    ]);
  });

  it('lists every resource route once, with versioning, vread of past versions and conditional create said', () => {
    const listed = statement.rest[0]?.resource.flatMap((r) => r.interaction.map((i) => `${r.type} ${i.code}`)).sort();
    expect(listed).toEqual(routeList.filter((r) => r.resourceType).map((r) => `${r.resourceType} ${r.interaction}`).sort());
    expect(resource('Patient')).toMatchObject({ versioning: 'versioned-update', readHistory: true, conditionalCreate: true });
    expect(resource('Observation')).toMatchObject({ versioning: 'versioned', readHistory: true, conditionalCreate: true });
    expect(resource('AuditEvent')).toMatchObject({ readHistory: false });
    const create = resource('Patient')?.interaction.find((i) => i.code === 'create')?.documentation;
    expect(create).toContain('honours Idempotency-Key');
    expect(create).toContain('If-None-Exist');
    expect(create).not.toContain('requires scope */Patient.c and');
  });

  it('names the parameters each search requires, with FHIR\'s search-parameter-combination extension', () => {
    const combination = (type: string) => resource(type)?.extension?.[0]?.extension.map((e) => `${e.url} ${e.valueString}`);
    expect(combination('Patient')).toEqual(['required identifier']);
    expect(combination('Observation')).toEqual(['required patient', 'optional code', 'optional date']);
    expect(combination('AuditEvent')).toEqual(['required date', 'optional entity', 'optional agent']);
  });

  it('refuses to describe a search parameter whose FHIR type is unknown', () => {
    const untyped = { ...routes.patientSearch, schemas: { query: { name: { type: 'string', maxLength: 10 } } } };
    expect(() => capabilityStatement([untyped], '2026-01-01T00:00:00.000Z')).toThrow(/patient-search name has no FHIR type/);
  });

  it('says the proof of possession the stage and each route need (plain bearer by default)', () => {
    type Security = { rest: Array<{ security: { description: string } }> };
    expect((statement as unknown as Security).rest[0]?.security.description).toContain('Every token needs a bearer token');
    const dpopStage = capabilityStatement(routeList, '2026-01-01T00:00:00.000Z', 'dpop') as unknown as Security;
    expect(dpopStage.rest[0]?.security.description).toContain('Every token needs a DPoP-bound token with a DPoP proof (RFC 9449)');
    const mtlsStage = capabilityStatement(routeList, '2026-01-01T00:00:00.000Z', 'mtls') as unknown as Security;
    expect(mtlsStage.rest[0]?.security.description).toContain('bound to the client certificate');
    const demanding = capabilityStatement([{ ...routes.patientCreate, senderConstraint: 'dpop' as const }], '2026-01-01T00:00:00.000Z') as Statement;
    expect(demanding.rest[0]?.resource[0]?.interaction[0]?.documentation).toContain('requires scope */Patient.c and a DPoP-bound token with a DPoP proof');
  });
});
