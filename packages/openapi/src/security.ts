import type { RouteDefinition } from '@health-api/core';

/**
 * OAuth 2.0 with SMART v2 scopes, and the API key of the usage plans, from the routes' `scope`
 * and `apiKey` fields. A route accepts a token of any SMART context; each context is one
 * alternative security requirement.
 */

export const OAUTH_SCHEME = 'smartOAuth2';
export const API_KEY_SCHEME = 'apiKey';

const PERMISSION_NAMES = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' } as const;

/** System clients use client credentials; apps act for a user or a patient through a login. */
const FLOW_CONTEXTS = { clientCredentials: ['system'], authorizationCode: ['patient', 'user'] } as const;

export interface OAuthEndpoints {
  authorizationUrl: string;
  tokenUrl: string;
}

const scopeOf = (context: string, scope: NonNullable<RouteDefinition['scope']>) => `${context}/${scope.resourceType}.${scope.permission}`;

function scopesFor(routes: readonly RouteDefinition[], contexts: readonly string[]): Record<string, string> {
  const scopes: Record<string, string> = {};
  for (const context of contexts) {
    for (const route of routes) {
      if (!route.scope) continue;
      scopes[scopeOf(context, route.scope)] = `${PERMISSION_NAMES[route.scope.permission]} ${route.scope.resourceType} resources (${context} context)`;
    }
  }
  return scopes;
}

export function securitySchemes(routes: readonly RouteDefinition[], endpoints: OAuthEndpoints) {
  return {
    [OAUTH_SCHEME]: {
      type: 'oauth2',
      description: 'Bearer JWT access tokens from the issuer. SMART v2 scopes (`<context>/<Type>.<cruds>`); v1 scopes '
        + '(`.read`, `.write`) and combined letters (e.g. `system/Patient.rs`) are also accepted. The authorization code '
        + 'flow requires PKCE with S256. Tokens are accepted only in the Authorization header, never in the query. '
        + 'Sender-constrained tokens: a stage may demand (AUTH_SENDER_CONSTRAINT), and an operation marked '
        + '`x-sender-constraint` always demands, DPoP-bound tokens (RFC 9449: `Authorization: DPoP <token>` plus a '
        + '`DPoP` proof header made for the request) or tokens bound to the client certificate of a mutual-TLS '
        + 'connection (RFC 8705). A DPoP-bound token is never accepted as a plain bearer token.',
      flows: {
        clientCredentials: { tokenUrl: endpoints.tokenUrl, scopes: scopesFor(routes, FLOW_CONTEXTS.clientCredentials) },
        authorizationCode: {
          authorizationUrl: endpoints.authorizationUrl,
          tokenUrl: endpoints.tokenUrl,
          scopes: { ...scopesFor(routes, FLOW_CONTEXTS.authorizationCode), 'launch/patient': 'Choose the patient the app acts for' },
        },
      },
    },
    [API_KEY_SCHEME]: {
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
      description: 'The API key of the caller\'s usage plan; it decides throttling and quota, never access to data.',
    },
  };
}

/** The operation's `security`: empty (public) when the route needs neither token nor key. */
export function securityRequirements(route: RouteDefinition): Array<Record<string, string[]>> {
  const key: Record<string, string[]> = route.apiKey ? { [API_KEY_SCHEME]: [] } : {};
  const { scope } = route;
  if (!scope) return route.apiKey ? [key] : [];
  return Object.values(FLOW_CONTEXTS).flat().map((context) => ({ [OAUTH_SCHEME]: [scopeOf(context, scope)], ...key }));
}

/** The `DPoP` proof header (RFC 9449) a secured operation reads: required where the route demands DPoP. */
export function dpopHeaderParameter(route: RouteDefinition) {
  return {
    name: 'DPoP', in: 'header', required: route.senderConstraint === 'dpop',
    description: 'DPoP proof (RFC 9449) for this request, sent with `Authorization: DPoP <token>`: typ `dpop+jwt`, an asymmetric '
      + '`alg`, the public `jwk`, `htm` and `htu` of this request (no query), a recent `iat`, a unique `jti` and `ath`; at most 8 KB.',
    schema: { type: 'string', maxLength: 8192 },
  };
}

/** `x-sender-constraint` of an operation whose route demands more than its stage. */
export const senderConstraintExtension = (route: RouteDefinition) => (route.senderConstraint ? { 'x-sender-constraint': route.senderConstraint } : {});
