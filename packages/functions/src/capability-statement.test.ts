import { describe, expect, it } from 'vitest';
import { capabilityStatement } from './capability-statement.js';
import { routeList, routes } from './routes.js';

type Statement = {
  rest: Array<{ resource: Array<{
    type: string; versioning?: string; interaction: Array<{ code: string; documentation: string }>; searchParam?: Array<{ name: string; type: string }>;
  }> }>;
};

const statement = capabilityStatement(routeList, '2026-01-01T00:00:00.000Z') as Statement;
const resource = (type: string) => statement.rest[0]?.resource.find((r) => r.type === type);

describe('CapabilityStatement', () => {
  it('declares each search parameter of the manifest with its FHIR type, and no result parameter', () => {
    expect(resource('Patient')?.searchParam).toEqual([{ name: 'identifier', type: 'token' }]);
    expect(resource('Observation')?.searchParam).toEqual([
      { name: 'patient', type: 'reference' }, { name: 'code', type: 'token' }, { name: 'date', type: 'date' },
    ]);
    expect(resource('AuditEvent')?.searchParam).toEqual([
      { name: 'date', type: 'date' }, { name: 'entity', type: 'reference' }, { name: 'agent', type: 'token' },
    ]);
  });

  it('lists every resource route once, with versioned updates and required Idempotency-Keys said', () => {
    const listed = statement.rest[0]?.resource.flatMap((r) => r.interaction.map((i) => `${r.type} ${i.code}`)).sort();
    expect(listed).toEqual(routeList.filter((r) => r.resourceType).map((r) => `${r.resourceType} ${r.interaction}`).sort());
    expect(resource('Patient')?.versioning).toBe('versioned-update');
    expect(resource('Observation')?.versioning).toBeUndefined();
    expect(resource('Patient')?.interaction.find((i) => i.code === 'create')?.documentation).toContain('Idempotency-Key');
  });

  it('refuses to describe a search parameter whose FHIR type is unknown', () => {
    const untyped = { ...routes.patientSearch, schemas: { query: { name: { type: 'string', maxLength: 10 } } } };
    expect(() => capabilityStatement([untyped], '2026-01-01T00:00:00.000Z')).toThrow(/patient-search name has no FHIR type/);
  });
});
