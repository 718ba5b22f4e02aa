import type { RouteDefinition } from '@health-api/core';
import { ApiError } from '@health-api/core';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { ApiMiddleware } from '../request-state.js';
import { header } from '../request-state.js';
import type { SenderBinding } from '../sender-constraint/index.js';
import { challengeFor, checkSenderConstraint, requiredConstraints, stageBinding } from '../sender-constraint/index.js';
import { IssuerUnavailable, TokenRejected } from './errors.js';
import type { AccessTokenVerifier } from './verifier.js';

/** RFC 6750 Bearer, or RFC 9449 DPoP for a DPoP-bound token (the sender-constraint step tells which may be used). */
const AUTHORIZATION = /^(Bearer|DPoP) ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i;

/**
 * Authentication: a bearer access token from the Authorization header, and only from there,
 * verified by aws-jwt-verify plus our own checks. Every failure is the same 401 to the caller;
 * the reason goes to the security log. An issuer whose keys cannot be had is no fault of the
 * token: 503 with Retry-After, so a client retries instead of fetching a new token. A verified
 * token then meets the route's sender constraint (DPoP proof, bound certificate) before it counts.
 */
export function jwtAuth(route: RouteDefinition, verifier: () => AccessTokenVerifier | Promise<AccessTokenVerifier>, binding: SenderBinding = stageBinding): ApiMiddleware {
  return {
    name: 'jwt-auth',
    before: async (request) => {
      if (!route.scope) return;
      const required = requiredConstraints(route, binding.stage());
      const authorization = header(request.event, 'authorization');
      if (authorization === undefined || authorization === '') throw new ApiError('MISSING_TOKEN', { headers: challengeFor(required.has('dpop')) });
      const match = AUTHORIZATION.exec(authorization);
      if (!match) throw new ApiError('INVALID_TOKEN', { reason: 'not-a-bearer-jwt', headers: challengeFor(required.has('dpop'), 'invalid_token') });
      const scheme = (match[1] as string).toLowerCase() === 'dpop' ? 'dpop' : 'bearer';
      const token = match[2] as string;
      let payload: JwtPayload;
      try {
        payload = await (await verifier()).verify(token);
      } catch (error) {
        if (error instanceof IssuerUnavailable) {
          throw new ApiError('SERVICE_UNAVAILABLE', { reason: `dependency-${error.reason}`, headers: { 'Retry-After': String(error.retryAfterSeconds) }, cause: error });
        }
        const reason = error instanceof TokenRejected ? error.reason : error instanceof Error ? error.name : 'unknown';
        throw new ApiError('INVALID_TOKEN', { reason, headers: challengeFor(scheme === 'dpop' || required.has('dpop'), 'invalid_token') });
      }
      await checkSenderConstraint({ event: request.event, scheme, token, payload, required, replay: binding.replay });
      // The raw claims: the scope check parses the grants (smart-scopes/).
      request.internal.claims = payload;
    },
  };
}
