import { describe, expect, it } from 'vitest';
import { identityOf } from './auth-context.js';

describe('caller identity from verified claims', () => {
  it('names the client by client_id, then cid, then azp, then the subject; empty or non-string claims count as absent', () => {
    expect(identityOf({ sub: 's', client_id: 'a', cid: 'b', azp: 'c', exp: 1 }).clientId).toBe('a');
    expect(identityOf({ sub: 's', client_id: '', cid: 'b', azp: 'c', exp: 1 }).clientId).toBe('b');
    expect(identityOf({ sub: 's', cid: 7, azp: 'c', exp: 1 }).clientId).toBe('c');
    expect(identityOf({ sub: 's', exp: 1 }).clientId).toBe('s');
    expect(identityOf({ exp: 1 })).toEqual({ clientId: '', subject: '', expiresAt: 1 });
  });

  it('carries the launch patient, fhirUser and token id only when the token has them, in a fixed order', () => {
    const full = identityOf({ sub: 's', client_id: 'a', patient: 'p1', fhirUser: 'Practitioner/9', jti: 'j', exp: 2, scope: 'system/Patient.r' });
    expect(Object.entries(full)).toEqual([['clientId', 'a'], ['subject', 's'], ['patient', 'p1'], ['fhirUser', 'Practitioner/9'], ['tokenId', 'j'], ['expiresAt', 2]]);
    expect(Object.keys(identityOf({ sub: 's', patient: '', fhirUser: 3, exp: 2 }))).toEqual(['clientId', 'subject', 'expiresAt']);
  });
});
