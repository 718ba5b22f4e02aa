import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { ScopeGrant } from '../smart-scopes/parse.js';

/** Who is calling, as proven by a verified access token. */
export interface AuthContext {
  clientId: string;
  subject: string;
  /** SMART launch context: the patient a `patient/` token is bound to. */
  patient?: string;
  fhirUser?: string;
  tokenId?: string;
  /** Seconds since the epoch when the token expires. */
  expiresAt: number;
  /** Parsed from the token's scope by the SMART scope check (smart-scopes/), not by authentication. */
  grants: ScopeGrant[];
}

/** The caller's identity from a verified token's claims; its grants are the scope check's to parse. */
export function identityOf(claims: JwtPayload): Omit<AuthContext, 'grants'> {
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const subject = text(claims.sub) ?? '';
  return {
    // RFC 9068 names the client `client_id`; Cognito and Okta use `client_id`/`cid`, Entra `azp`.
    clientId: text(claims.client_id) ?? text(claims.cid) ?? text(claims.azp) ?? subject,
    subject,
    ...(text(claims.patient) ? { patient: text(claims.patient) } : {}),
    ...(text(claims.fhirUser) ? { fhirUser: text(claims.fhirUser) } : {}),
    ...(text(claims.jti) ? { tokenId: text(claims.jti) } : {}),
    expiresAt: claims.exp as number,
  };
}
