import type { RouteDefinition } from '@health-api/core';
import { ApiError } from '@health-api/core';
import type { ApiMiddleware } from '../request-state.js';
import { header } from '../request-state.js';
import { IssuerUnavailable } from './issuer-keys.js';
import type { AccessTokenVerifier } from './verifier.js';
import { TokenRejected } from './verifier.js';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i;

/**
 * Authentication: a bearer access token from the Authorization header, and only from there,
 * verified by aws-jwt-verify plus our own checks. Every failure is the same 401 to the caller;
 * the reason goes to the security log. An issuer whose keys cannot be had is no fault of the
 * token: 503 with Retry-After, so a client retries instead of fetching a new token.
 */
export function jwtAuth(route: RouteDefinition, verifier: () => AccessTokenVerifier): ApiMiddleware {
  return {
    name: 'jwt-auth',
    before: async (request) => {
      if (!route.scope) return;
      const authorization = header(request.event, 'authorization');
      if (authorization === undefined || authorization === '') throw new ApiError('MISSING_TOKEN');
      const match = BEARER.exec(authorization);
      if (!match) throw new ApiError('INVALID_TOKEN', { reason: 'not-a-bearer-jwt' });
      try {
        // The raw claims: the scope check parses the grants (smart-scopes/).
        request.internal.claims = await verifier().verify(match[1] as string);
      } catch (error) {
        if (error instanceof IssuerUnavailable) {
          throw new ApiError('SERVICE_UNAVAILABLE', { reason: `dependency-${error.reason}`, headers: { 'Retry-After': String(error.retryAfterSeconds) }, cause: error });
        }
        const reason = error instanceof TokenRejected ? error.reason : error instanceof Error ? error.name : 'unknown';
        throw new ApiError('INVALID_TOKEN', { reason });
      }
    },
  };
}
