import './quiet-oidc-provider.js'; // before oidc-provider, which warns at import time
import type { X509Certificate } from 'node:crypto';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Provider, { errors } from 'oidc-provider';
import type { ClientMetadata, Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { ListeningServer } from './https-server.js';
import { confineIssuerContext } from './issuer-async-context.js';
import type { TLSSocket } from 'node:tls';
import type { BackendServiceCredentials, SystemClientCredentials, SystemClientName } from './issuer-clients.js';
import { BACKEND_SERVICE, CERTIFICATE_BOUND_SERVICE, SMART_APP, SYSTEM_CLIENT_SCOPES, grantableScopes, patientOfLogin, systemClientNames } from './issuer-clients.js';
import { loadOrCreateSecretJson } from './state-files.js';
import { clientCertificateName } from './tls-material.js';

/** Access tokens live 10 minutes, as the deployed issuer's. */
export const ACCESS_TOKEN_TTL_SECONDS = 600;
const SIGNING_ALG = 'ES256';

export interface LocalIssuer {
  /** Exactly the `iss` of its tokens (no trailing slash). */
  issuer: string;
  tokenEndpoint: string;
  jwksUri: string;
  clients: Record<SystemClientName, SystemClientCredentials>;
  backendService: BackendServiceCredentials;
  smartApp: typeof SMART_APP;
}

interface IssuerSecrets {
  clientSecrets: Record<SystemClientName, string>;
  /** Sign the interaction cookies of the login flow; the first signs, all verify. */
  cookieKeys: string[];
}

const secret = () => randomBytes(32).toString('base64url');

/** An EC private JWK with its `kid` and `alg`, made on first start and kept 0600. */
function ecKey(namedCurve: 'P-256' | 'P-384', alg: string): Record<string, unknown> {
  const jwk = generateKeyPairSync('ec', { namedCurve }).privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: randomUUID(), alg, use: 'sig' };
}

const createSigningKeys = () => ({ keys: [ecKey('P-256', SIGNING_ALG)] });

/** The public half of an EC private JWK: everything but `d`. */
const publicJwk = (privateJwk: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(privateJwk).filter(([name]) => name !== 'd'));

function createSecrets(): IssuerSecrets {
  return {
    clientSecrets: Object.fromEntries(systemClientNames.map((name) => [name, secret()])) as IssuerSecrets['clientSecrets'],
    cookieKeys: [secret()],
  };
}

function clientMetadata(secrets: IssuerSecrets, backendKey: Record<string, unknown>): ClientMetadata[] {
  const system = systemClientNames.map((name): ClientMetadata => ({
    client_id: name,
    client_secret: secrets.clientSecrets[name],
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    smart_scopes: SYSTEM_CLIENT_SCOPES[name],
  }));
  const app: ClientMetadata = {
    client_id: SMART_APP.clientId,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [SMART_APP.redirectUri],
    smart_scopes: SMART_APP.smartScopes,
  };
  const backend: ClientMetadata = {
    client_id: BACKEND_SERVICE.clientId,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: BACKEND_SERVICE.alg,
    jwks: { keys: [publicJwk(backendKey) as unknown as NonNullable<ClientMetadata['jwks']>['keys'][number]] },
    smart_scopes: BACKEND_SERVICE.scope,
  };
  const certificateBound: ClientMetadata = {
    client_id: CERTIFICATE_BOUND_SERVICE.clientId,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'tls_client_auth',
    tls_client_auth_subject_dn: `CN=${clientCertificateName(CERTIFICATE_BOUND_SERVICE.certificateName)}`,
    tls_client_certificate_bound_access_tokens: true,
    smart_scopes: CERTIFICATE_BOUND_SERVICE.scope,
  };
  return [...system, backend, certificateBound, app];
}

/** The client certificate of this request's connection, if the handshake verified it against the local CA. */
function verifiedCertificate(ctx: KoaContextWithOIDC): X509Certificate | undefined {
  const socket = ctx.req.socket as Partial<TLSSocket>;
  return socket.authorized ? socket.getPeerX509Certificate?.() : undefined;
}

/** Adds the SMART launch context (`patient`) to the token response, next to the access token. */
async function patientInTokenResponse(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  await next();
  const body = ctx.body as Record<string, unknown> | undefined;
  if (ctx.oidc?.route !== 'token' || ctx.status !== 200 || !body?.access_token) return;
  const accountId = ctx.oidc.entities.AccessToken?.accountId;
  const patient = accountId ? patientOfLogin(accountId) : undefined;
  if (patient) body.patient = patient;
}

/**
 * The local OAuth 2.0 / OpenID Connect issuer (oidc-provider) on an already listening HTTPS
 * server: JWT access tokens for one audience (the API), client_credentials for system clients,
 * authorization code + PKCE (S256 only) for the SMART app with rotating refresh tokens, and no
 * implicit or password grant. Keys and secrets are generated into `stateDir` on first start.
 */
export async function startIssuer(listening: ListeningServer, options: { stateDir: string; audience: string }): Promise<LocalIssuer> {
  const { audience } = options;
  const backendKeyFile = join(options.stateDir, 'backend-service-key.json');
  const [jwks, secrets, backendKey] = await Promise.all([
    loadOrCreateSecretJson(join(options.stateDir, 'signing-keys.json'), createSigningKeys),
    loadOrCreateSecretJson(join(options.stateDir, 'secrets.json'), createSecrets),
    loadOrCreateSecretJson(backendKeyFile, () => ecKey('P-384', BACKEND_SERVICE.alg)),
  ]);
  const issuer = listening.origin;

  const configuration: Configuration = {
    jwks: jwks as Configuration['jwks'],
    cookies: { keys: secrets.cookieKeys },
    clients: clientMetadata(secrets, backendKey),
    enabledJWA: { clientAuthSigningAlgValues: [BACKEND_SERVICE.alg] },
    // What the clients use, nothing more: no client_secret_post (secrets in bodies) or client_secret_jwt.
    clientAuthMethods: ['client_secret_basic', 'private_key_jwt', 'tls_client_auth', 'none'],
    clientDefaults: { id_token_signed_response_alg: SIGNING_ALG },
    extraClientMetadata: { properties: ['smart_scopes'] },
    scopes: SMART_APP.oidcScopes.split(' '),
    claims: { openid: ['sub'], fhirUser: ['fhirUser'] },
    responseTypes: ['code'],
    pkce: { required: () => true },
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      // Sender-constrained tokens: a client that sends a DPoP proof to the token endpoint gets a
      // token bound to its key (`cnf.jkt`); the certificate-bound client gets one bound to its
      // certificate (`cnf["x5t#S256"]`), which needs a server that asks for certificates.
      dPoP: { enabled: true },
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: true,
        tlsClientAuth: true,
        getCertificate: (ctx) => verifiedCertificate(ctx)?.toString(),
        certificateAuthorized: (ctx) => verifiedCertificate(ctx) !== undefined,
        certificateSubjectMatches: (ctx, property, expected) =>
          property === 'tls_client_auth_subject_dn' && verifiedCertificate(ctx)?.subject === expected,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator, client) => {
          if (indicator !== audience) throw new errors.InvalidTarget();
          return {
            scope: grantableScopes(String(client.smart_scopes ?? '')),
            audience,
            accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: SIGNING_ALG } },
          };
        },
      },
    },
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SECONDS, ClientCredentials: ACCESS_TOKEN_TTL_SECONDS, AuthorizationCode: 60,
      IdToken: 600, RefreshToken: 3600, Interaction: 600, Session: 3600, Grant: 3600,
    },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => {
        const patient = patientOfLogin(sub);
        return { sub, ...(patient ? { fhirUser: `Patient/${patient}` } : {}) };
      },
    }),
    extraTokenClaims: (_ctx, token) => {
      const patient = 'accountId' in token && token.accountId ? patientOfLogin(token.accountId) : undefined;
      return patient ? { patient } : undefined;
    },
  };
  const provider = new Provider(issuer, configuration);
  provider.use(patientInTokenResponse);
  // oidc-provider answers 500 without saying why; say it (the error's name only) on the console.
  provider.on('server_error', (_ctx, error) => console.error(`issuer: server_error ${error.name}`));
  confineIssuerContext(listening.server);
  listening.server.on('request', provider.callback());

  const clients = Object.fromEntries(systemClientNames.map((name) => [name, {
    clientId: name, clientSecret: secrets.clientSecrets[name], scope: SYSTEM_CLIENT_SCOPES[name],
  }])) as LocalIssuer['clients'];
  const backendService = { clientId: BACKEND_SERVICE.clientId, scope: BACKEND_SERVICE.scope, alg: BACKEND_SERVICE.alg, privateJwk: backendKey, keyFile: backendKeyFile };
  return { issuer, tokenEndpoint: `${issuer}/token`, jwksUri: `${issuer}/jwks`, clients, backendService, smartApp: SMART_APP };
}
