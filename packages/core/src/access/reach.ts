/**
 * Which records a caller may touch, from the SMART grants that allowed the interaction and the
 * token's `patient` claim. `system/` grants reach every record of the type; `patient/` grants
 * reach only the patient compartment (that Patient, and Observations whose subject it is).
 * `user/` grants reach nothing yet: that needs a user-to-patient access policy this API does
 * not have, and guessing one could only widen access.
 */

export interface GrantContext {
  context: 'patient' | 'user' | 'system';
}

export type Reach = { kind: 'all' } | { kind: 'compartment'; patientId: string } | { kind: 'none' };

export function reachOf(grants: readonly GrantContext[], patientClaim: string | undefined): Reach {
  if (grants.some((g) => g.context === 'system')) return { kind: 'all' };
  if (patientClaim && grants.some((g) => g.context === 'patient')) return { kind: 'compartment', patientId: patientClaim };
  return { kind: 'none' };
}

/** Whether a record in the compartment of `patientId` is within reach. */
export function reaches(reach: Reach, patientId: string): boolean {
  return reach.kind === 'all' || (reach.kind === 'compartment' && reach.patientId === patientId);
}
