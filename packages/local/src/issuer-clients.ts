/**
 * The OAuth clients of the local issuer. System clients (client_credentials) carry `system/`
 * scopes; the SMART app is a public client using authorization code + PKCE with `patient/` and
 * `user/` scopes. SMART scopes are limited per client through the `smart_scopes` metadata the
 * issuer grants from (requests beyond it are dropped, never widened).
 */

export const SYSTEM_CLIENT_SCOPES = {
  clinical: 'system/Patient.cruds system/Observation.cruds',
  reader: 'system/Patient.rs system/Observation.rs',
  auditor: 'system/AuditEvent.rs',
  none: '',
} as const;

export type SystemClientName = keyof typeof SYSTEM_CLIENT_SCOPES;

export const systemClientNames = Object.keys(SYSTEM_CLIENT_SCOPES) as SystemClientName[];

export interface SystemClientCredentials {
  clientId: string;
  clientSecret: string;
  scope: string;
}

/**
 * A SMART Backend Services client (https://hl7.org/fhir/smart-app-launch/backend-services.html):
 * client_credentials, authenticated with a JWT signed by its own key (private_key_jwt, RFC 7523),
 * so no shared secret exists. `npm start` makes its key pair; the issuer holds the public half.
 */
export const BACKEND_SERVICE = {
  clientId: 'backend-service',
  scope: 'system/Patient.cruds system/Observation.cruds',
  /** SMART asks servers to support RS384 and ES384 client assertions. */
  alg: 'ES384',
} as const;

export interface BackendServiceCredentials {
  clientId: string;
  scope: string;
  alg: string;
  /** The client's private JWK (with `kid`): what signs its client assertions. */
  privateJwk: Record<string, unknown>;
  /** Where `npm start` keeps it (0600). */
  keyFile: string;
}

/**
 * A service that holds a client certificate of the local CA: it authenticates with that
 * certificate (`tls_client_auth`, RFC 8705 section 2.1) and its access tokens are bound to it
 * (`cnf["x5t#S256"]`), so they work only over a connection made with the same certificate.
 * Needs `npm start -- --mtls` (the issuer and gateway ask for certificates only then).
 */
export const CERTIFICATE_BOUND_SERVICE = {
  clientId: 'mtls-service',
  scope: 'system/Patient.cruds system/Observation.cruds',
  /** Name of its certificate under `.local/tls` (`client-service.pem`). */
  certificateName: 'service',
} as const;

export interface CertificateBoundCredentials {
  clientId: string;
  scope: string;
  certFile: string;
  keyFile: string;
}

/** A browser or native app: public, so no secret; PKCE S256 is mandatory. */
export const SMART_APP = {
  clientId: 'smart-app',
  redirectUri: 'http://127.0.0.1:8400/callback',
  /** Everything it may be granted; the request picks. */
  smartScopes: 'patient/Patient.rs patient/Observation.rs user/Patient.rs user/Observation.rs',
  /** OpenID Connect scopes for the sign-in itself and the launch context. */
  oidcScopes: 'openid fhirUser offline_access launch/patient',
} as const;

export type SmartApp = typeof SMART_APP;

/** FHIR `id` syntax: the development login name doubles as the Patient the user acts as. */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The patient a development login acts for: the login itself when it is a Patient id. */
export function patientOfLogin(login: string): string | undefined {
  return FHIR_ID.test(login) ? login : undefined;
}

/** Every non-empty subsequence of `letters`, order kept: `rs` → `r`, `s`, `rs`. */
function subsequences(letters: string): string[] {
  return [...letters].reduce<string[]>((acc, letter) => [...acc, ...acc.map((s) => s + letter), letter], [])
    .sort((a, b) => a.length - b.length);
}

/**
 * The scopes a client may be granted: each SMART v2 scope of its allowance plus every narrower
 * one (`system/Patient.cruds` also allows `system/Patient.rs`), so a client can ask for less.
 * The issuer grants the requested scopes found in this list and silently drops the others.
 */
export function grantableScopes(allowance: string): string {
  return allowance.split(' ').filter(Boolean).flatMap((scope) => {
    const match = /^(.+\.)([cruds]+)$/.exec(scope);
    return match ? subsequences(match[2] as string).map((letters) => `${match[1]}${letters}`) : [scope];
  }).join(' ');
}
