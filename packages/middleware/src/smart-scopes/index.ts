import type { RouteDefinition } from '@health-api/core';
import { ApiError } from '@health-api/core';
import type { ApiMiddleware, ApiRequest } from '../request-state.js';
import type { AuthContext } from '../jwt-auth/auth-context.js';
import { identityOf } from '../jwt-auth/auth-context.js';
import type { ScopeGrant } from './parse.js';
import { grantsFor, parseScopes } from './parse.js';

type Claims = NonNullable<ApiRequest['internal']['claims']>;

/**
 * Grants parsed once per verified payload: the verified-token cache hands a repeated token's
 * claims back as the same object. Kept only while that object lives, and only for the scope
 * claim they were parsed from; frozen, since every request with that token shares them.
 */
const parsedGrants = new WeakMap<Claims, { claim: unknown; grants: ScopeGrant[] }>();

function grantsOf(claims: Claims): ScopeGrant[] {
  const claim = claims.scope ?? claims.scp;
  const known = parsedGrants.get(claims);
  if (known !== undefined && known.claim === claim) return known.grants;
  const grants = Object.freeze(parseScopes(claim).map((grant) => Object.freeze(grant))) as ScopeGrant[];
  parsedGrants.set(claims, { claim, grants });
  return grants;
}

/**
 * Request-level authorisation: the token must carry a SMART scope for this route's resource
 * type and interaction. It runs before validation and the business function, so no data is
 * read for a caller who may not read it. The matching grants are kept for the data layer, which
 * applies the patient compartment for `patient/` grants.
 */
export function smartScopes(route: RouteDefinition): ApiMiddleware {
  const required = route.scope;
  return {
    name: 'smart-scopes',
    before: (request) => {
      if (!required) return;
      const claims = request.internal.claims;
      if (!claims) throw new ApiError('MISSING_TOKEN');
      // Added to the identity rather than spread into a new object: V8 (Node 20) makes
      // `{ ...nonEmpty, more }` about a µs slower per request.
      const auth: AuthContext = Object.assign(identityOf(claims), { grants: grantsOf(claims) });
      request.internal.auth = auth;
      const matching = grantsFor(auth.grants, required.resourceType, required.permission);
      if (matching.length === 0) throw new ApiError('INSUFFICIENT_SCOPE', { reason: `needs ${required.resourceType}.${required.permission}` });
      request.internal.access = matching;
    },
  };
}
