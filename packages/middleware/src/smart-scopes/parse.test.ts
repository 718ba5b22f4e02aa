import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grantsFor, parseScope, parseScopes } from './parse.js';

const contexts = ['patient', 'user', 'system'] as const;
const letters = ['c', 'r', 'u', 'd', 's'] as const;
const resourceType = fc.constantFrom('Patient', 'Observation', 'AuditEvent', '*');
/** A v2 permission string: a non-empty ordered subset of cruds. */
const v2Access = fc.subarray([...letters], { minLength: 1 }).map((subset) => subset.join(''));

describe('parseScope', () => {
  it.each([
    ['system/Patient.cruds', 'system', 'Patient', 'cruds'],
    ['patient/Observation.rs', 'patient', 'Observation', 'rs'],
    ['user/*.r', 'user', '*', 'r'],
    ['user/Patient.read', 'user', 'Patient', 'rs'],
    ['system/Observation.write', 'system', 'Observation', 'cud'],
    ['patient/*.*', 'patient', '*', 'cruds'],
  ])('%s → %s/%s.%s', (scope, context, type, permissions) => {
    const grant = parseScope(scope);
    expect(grant).toMatchObject({ context, resourceType: type });
    expect([...(grant?.permissions ?? [])].join('')).toBe(permissions);
  });

  it.each([
    'system/Patient.dc', // out of order
    'system/Patient.rr', // repeated
    'system/Patient.', // empty
    'system/Patient.c?identifier=x', // constrained: not enforced, so not granted
    'admin/Patient.cruds',
    'system/patient.r', // resource types start upper-case
    'system//Patient.r',
    ' system/Patient.r',
    'system/Patient.r ',
    'system/Patient.readwrite',
    'openid',
    'launch/patient',
  ])('%s grants nothing', (scope) => {
    expect(parseScope(scope)).toBeUndefined();
  });

  it('parses every well-formed v2 scope to exactly its letters', () => {
    fc.assert(fc.property(fc.constantFrom(...contexts), resourceType, v2Access, (context, type, access) => {
      const grant = parseScope(`${context}/${type}.${access}`);
      expect(grant).toEqual({ context, resourceType: type, permissions: new Set(access) });
    }));
  });

  it('never throws and never grants a letter the scope string lacks (v1 words aside)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (scope) => {
      const grant = parseScope(scope);
      if (!grant) return;
      const access = scope.slice(scope.lastIndexOf('.') + 1);
      if (['read', 'write', '*'].includes(access)) return;
      for (const permission of grant.permissions) expect(access).toContain(permission);
    }));
  });

  it('never widens: appending junk to a valid scope grants nothing', () => {
    fc.assert(fc.property(fc.constantFrom(...contexts), resourceType, v2Access, fc.string({ minLength: 1, maxLength: 10 }).filter((s) => !/^[a-z]*$/.test(s)), (context, type, access, junk) => {
      expect(parseScope(`${context}/${type}.${access}${junk}`)).toBeUndefined();
    }));
  });
});

describe('parseScopes', () => {
  it('reads a space-separated scope claim and an scp array, skipping malformed entries', () => {
    expect(parseScopes('openid system/Patient.r  bogus system/Observation.s')).toHaveLength(2);
    expect(parseScopes(['system/Patient.r', 42, 'user/Observation.read'])).toHaveLength(2);
    expect(parseScopes(undefined)).toEqual([]);
    expect(parseScopes({ scope: 'system/Patient.r' })).toEqual([]);
  });

  it('the union of two claims grants what each grants', () => {
    fc.assert(fc.property(fc.constantFrom(...contexts), v2Access, v2Access, (context, a, b) => {
      const grants = parseScopes(`${context}/Patient.${a} ${context}/Patient.${b}`);
      for (const letter of letters) {
        const expected = a.includes(letter) || b.includes(letter);
        expect(grantsFor(grants, 'Patient', letter).length > 0).toBe(expected);
      }
    }));
  });
});

describe('grantsFor', () => {
  it('matches the resource type or the wildcard, and the permission', () => {
    const grants = parseScopes('patient/Observation.rs user/*.r');
    expect(grantsFor(grants, 'Observation', 's')).toHaveLength(1);
    expect(grantsFor(grants, 'Patient', 'r')).toHaveLength(1);
    expect(grantsFor(grants, 'Patient', 'c')).toHaveLength(0);
  });

  it('does not let a wildcard reach AuditEvent: the audit trail needs a grant that names it', () => {
    for (const scope of ['system/*.rs', 'system/*.cruds', 'system/*.*', 'user/*.read']) {
      expect(grantsFor(parseScopes(scope), 'AuditEvent', scope.startsWith('user') ? 'r' : 's'), scope).toEqual([]);
    }
    expect(grantsFor(parseScopes('system/*.rs system/AuditEvent.s'), 'AuditEvent', 's')).toEqual([parseScope('system/AuditEvent.s')]);
  });
});
