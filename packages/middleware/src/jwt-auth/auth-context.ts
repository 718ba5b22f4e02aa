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

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The caller's identity from a verified token's claims; its grants are the scope check's to parse. */
export function identityOf(claims: JwtPayload): Omit<AuthContext, 'grants'> {
  const subject = text(claims.sub) ?? '';
  // RFC 9068 names the client `client_id`; Cognito and Okta use `client_id`/`cid`, Entra `azp`.
  const identity: Omit<AuthContext, 'grants'> = { clientId: text(claims.client_id) ?? text(claims.cid) ?? text(claims.azp) ?? subject, subject } as Omit<AuthContext, 'grants'>;
  // Assigned, not spread in: this runs on every request.
  const patient = text(claims.patient);
  if (patient) identity.patient = patient;
  const fhirUser = text(claims.fhirUser);
  if (fhirUser) identity.fhirUser = fhirUser;
  const tokenId = text(claims.jti);
  if (tokenId) identity.tokenId = tokenId;
  identity.expiresAt = claims.exp as number;
  return identity;
}
