import type { AuthConfig } from '@health-api/core';
import { JwtVerifier } from 'aws-jwt-verify';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import { issuerKeys } from './issuer-keys.js';
import { VerifiedTokenCache } from './verified-token-cache.js';
import { TokenRejected } from './errors.js';

/**
 * Access-token verification: aws-jwt-verify checks signature, issuer, audience, `exp` and `nbf`
 * against the issuer's JWKS; this module adds what it leaves open (see the README's control
 * table): required `exp`/`iat`, a lifetime cap, no `crit`, no key-carrying headers, a sane
 * `kid`, an access-token `typ` and the binding of audience-less (Cognito) tokens. The keys,
 * and telling an issuer outage from a bad token, are `issuer-keys.ts`'s.
 */

const ALGORITHMS = new Set(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);
/** Headers that point at or carry a key: honouring them lets the sender choose the key. */
const KEY_HEADERS = ['jku', 'jwk', 'x5u', 'x5c', 'x5t', 'x5t#S256'];
const KID = /^[A-Za-z0-9_+=-][A-Za-z0-9_.+=-]{0,127}$/;
/** RFC 9068 access-token types; `typ` compares case-insensitively (RFC 7515 §4.1.9). */
const ACCESS_TOKEN_TYPES = ['at+jwt', 'application/at+jwt'];
/** What issuers that predate RFC 9068 send, when a deployer opts in: no `typ`, or `JWT`. */
const LEGACY_TOKEN_TYPE = 'jwt';
const CLOCK_SKEW_SECONDS = 60;

export function checkHeader(header: JwtHeader, legacyTokenTypes: boolean): void {
  if (typeof header.alg !== 'string' || !ALGORITHMS.has(header.alg)) throw new TokenRejected('alg-not-allowed');
  if ('crit' in header) throw new TokenRejected('crit-header');
  if (KEY_HEADERS.some((name) => name in header)) throw new TokenRejected('key-in-header');
  if (typeof header.kid !== 'string' || !KID.test(header.kid)) throw new TokenRejected('bad-kid');
  checkType(header.typ, legacyTokenTypes);
}

/** An access token by its type: an ID token or any other JWT of the issuer is not one. */
function checkType(typ: unknown, legacyTokenTypes: boolean): void {
  if (typ === undefined) {
    if (!legacyTokenTypes) throw new TokenRejected('no-typ');
    return;
  }
  const type = typeof typ === 'string' ? typ.toLowerCase() : '';
  if (ACCESS_TOKEN_TYPES.includes(type) || (legacyTokenTypes && type === LEGACY_TOKEN_TYPE)) return;
  throw new TokenRejected('bad-typ');
}

/**
 * An access token for this API. aws-jwt-verify checks `aud` against the audience; a Cognito
 * issuer has none, so its tokens must be Cognito access tokens (`token_use=access`, no `aud`: a
 * token for another API of the same issuer carries one) of a listed client.
 */
export function checkAudienceBinding(payload: JwtPayload, auth: Pick<AuthConfig, 'issuerKind' | 'clientIds'>): void {
  const { clientIds } = auth;
  if (payload.token_use !== undefined && payload.token_use !== 'access') throw new TokenRejected('not-an-access-token');
  if (auth.issuerKind === 'cognito') {
    if (payload.token_use !== 'access') throw new TokenRejected('not-an-access-token');
    if (payload.aud !== undefined) throw new TokenRejected('aud-without-audience');
  }
  if (clientIds.length > 0 && !(typeof payload.client_id === 'string' && clientIds.includes(payload.client_id))) {
    throw new TokenRejected('client-not-accepted');
  }
}

export function checkLifetime(payload: JwtPayload, maxLifetimeSeconds: number, nowSeconds = Date.now() / 1000): void {
  const { exp, iat } = payload;
  if (typeof exp !== 'number') throw new TokenRejected('no-exp');
  if (typeof iat !== 'number') throw new TokenRejected('no-iat');
  if (iat > nowSeconds + CLOCK_SKEW_SECONDS) throw new TokenRejected('iat-in-future');
  if (exp - iat > maxLifetimeSeconds) throw new TokenRejected('lifetime-too-long');
}

export interface AccessTokenVerifier {
  verify(token: string): Promise<JwtPayload>;
  /** Fetches the issuer's keys now, without waiting or failing (see IssuerKeys.prefetch). */
  prefetch(): void;
}

export function createAccessTokenVerifier(auth: AuthConfig): AccessTokenVerifier {
  const cache = new VerifiedTokenCache(auth.tokenCacheSize, auth.tokenCacheSeconds * 1000);
  // A new JWKS may have withdrawn a key: forget every token verified with the old one.
  const keys = issuerKeys(auth, () => cache.clear());
  const create = (jwksUri: string) => JwtVerifier.create(
    {
      issuer: auth.issuer,
      audience: auth.audience,
      jwksUri,
      customJwtCheck: ({ payload }) => {
        checkLifetime(payload, auth.maxTokenLifetimeSeconds);
        checkAudienceBinding(payload, auth);
      },
    },
    { jwksCache: keys.jwksCache },
  );
  // Built once the JWKS location is known (it may come from discovery).
  let verifier: ReturnType<typeof create> | undefined;

  return {
    prefetch: () => keys.prefetch(),
    async verify(token) {
      keys.refreshWhenOld();
      const cached = cache.get(token);
      if (cached) return cached;
      let header: JwtHeader;
      try {
        header = decomposeUnverifiedJwt(token).header;
      } catch {
        throw new TokenRejected('malformed');
      }
      checkHeader(header, auth.legacyTokenTypes);
      const generation = cache.generation;
      const jwksUri = await keys.ready();
      verifier ??= create(jwksUri);
      const payload = await verifier.verify(token);
      cache.set(token, payload, generation);
      return payload;
    },
  };
}
