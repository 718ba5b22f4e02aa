import type { Permission } from '@health-api/core';

/**
 * SMART App Launch scopes, v2 (`patient/Observation.rs`) and v1 (`user/Patient.read`), parsed
 * into one model. Anything that does not match the grammar exactly grants nothing: a parser that
 * guesses could only ever widen access.
 */

export type ScopeContext = 'patient' | 'user' | 'system';

export interface ScopeGrant {
  context: ScopeContext;
  /** A FHIR resource type, or `*` for all. */
  resourceType: string;
  permissions: ReadonlySet<Permission>;
}

const PERMISSION_ORDER: readonly Permission[] = ['c', 'r', 'u', 'd', 's'];
const V1_PERMISSIONS: Record<string, readonly Permission[]> = {
  read: ['r', 's'],
  write: ['c', 'u', 'd'],
  '*': PERMISSION_ORDER,
};

// v2 letters must appear in c-r-u-d-s order, each at most once (SMART v2 §scopes).
const SCOPE = /^(patient|user|system)\/([A-Z][A-Za-z]{0,63}|\*)\.(c?r?u?d?s?|read|write|\*)$/;

export function parseScope(scope: string): ScopeGrant | undefined {
  // A v2 scope with `?param=value` narrows access to matching resources. This API does not
  // enforce such constraints, so it refuses them rather than read them as the unconstrained scope.
  const match = SCOPE.exec(scope);
  if (!match) return undefined;
  const [, context, resourceType, access] = match as unknown as [string, ScopeContext, string, string];
  const permissions = V1_PERMISSIONS[access] ?? PERMISSION_ORDER.filter((p) => access.includes(p));
  if (permissions.length === 0) return undefined;
  return { context, resourceType, permissions: new Set(permissions) };
}

/** Parse a `scope` claim (space-separated string) or `scp` claim (array of strings). */
export function parseScopes(claim: unknown): ScopeGrant[] {
  const tokens = typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : [];
  const grants: ScopeGrant[] = [];
  for (const token of tokens) {
    if (typeof token !== 'string') continue;
    const grant = parseScope(token);
    if (grant) grants.push(grant);
  }
  return grants;
}

/**
 * Resource types a wildcard scope does not reach: the audit trail says who read which patient's
 * records, so reading it needs a grant that names it (`system/AuditEvent.s`), not `system/*.rs`
 * handed out for clinical data.
 */
const EXPLICIT_GRANT_ONLY: ReadonlySet<string> = new Set(['AuditEvent']);

/** The grants that allow `permission` on `resourceType`. */
export function grantsFor(grants: readonly ScopeGrant[], resourceType: string, permission: Permission): ScopeGrant[] {
  const wildcardReaches = !EXPLICIT_GRANT_ONLY.has(resourceType);
  return grants.filter((g) => (g.resourceType === resourceType || (g.resourceType === '*' && wildcardReaches)) && g.permissions.has(permission));
}
