import { expect, it } from 'vitest';
import { grantableScopes, patientOfLogin } from './issuer-clients.js';

it('lets a client ask for any narrower SMART scope of its allowance, and nothing wider', () => {
  const scopes = grantableScopes('system/Patient.rs launch/patient').split(' ');
  expect(scopes.sort()).toEqual(['launch/patient', 'system/Patient.r', 'system/Patient.rs', 'system/Patient.s'].sort());
  expect(grantableScopes('system/Patient.cruds').split(' ')).toHaveLength(31);
  expect(grantableScopes('system/Patient.cruds').split(' ')).not.toContain('system/Patient.sr'); // SMART order only
  expect(grantableScopes('')).toBe('');
});

it('binds a development login to a Patient only when it is a FHIR id', () => {
  expect(patientOfLogin('pat-123')).toBe('pat-123');
  expect(patientOfLogin('alice smith')).toBeUndefined();
  expect(patientOfLogin('x'.repeat(65))).toBeUndefined();
});
