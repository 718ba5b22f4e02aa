import type { Fetcher } from 'aws-jwt-verify/https';

/** The issuer's discovery document names another issuer or no HTTPS `jwks_uri`: a deploy mistake or a spoof. */
export class DiscoveryInvalid extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiscoveryInvalid';
  }
}

/**
 * The issuer's JWKS location, from its OpenID Connect discovery document (OIDC Discovery 1.0 §4):
 * `<issuer>/.well-known/openid-configuration`, the issuer's trailing slash dropped (§4.1). The
 * document must name exactly this issuer (§4.3), or its keys could be another issuer's.
 */
export async function discoverJwksUri(issuer: string, fetcher: Fetcher): Promise<string> {
  const body = await fetcher.fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new DiscoveryInvalid('discovery document is not JSON');
  }
  const { issuer: named, jwks_uri: jwksUri } = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
  if (named !== issuer) throw new DiscoveryInvalid('discovery document names another issuer');
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri) || new URL(jwksUri).protocol !== 'https:') {
    throw new DiscoveryInvalid('discovery document has no https jwks_uri');
  }
  return jwksUri;
}
