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
  grants: ScopeGrant[];
}
