/**
 * The token issuer for the deployed API. Either an external OIDC issuer given at deploy time
 * (AUTH_ISSUER, AUTH_AUDIENCE, optional AUTH_JWKS_URI and AUTH_ALLOW_LEGACY_TYP), or, when none is given, a Cognito user
 * pool whose resource server `system` carries the SMART system scopes and one client-credentials
 * app client per client type.
 */
import { grantableScopes, SYSTEM_CLIENT_SCOPES } from '../packages/local/src/issuer-clients';
import { awsContext } from './keys';
import { isProduction, stackName } from './stage';

export interface Issuer {
  issuer: $util.Input<string>;
  /** AUTH_ISSUER_KIND: `cognito` lets the API go without an audience (see core/src/config.ts). */
  kind: 'oidc' | 'cognito';
  /** AUTH_ALLOW_LEGACY_TYP: the issuer's access tokens are not typed `at+jwt` (RFC 9068). */
  legacyTokenTypes: boolean;
  /** This API's `aud`; absent for Cognito, whose access tokens are bound by `client_id` instead. */
  audience?: $util.Input<string>;
  /** Accepted `client_id`s, comma-separated (AUTH_CLIENT_IDS). */
  clientIds?: $util.Input<string>;
  /** AUTH_JWKS_URI; without it the functions read `jwks_uri` from the issuer's discovery document. */
  jwksUri?: $util.Input<string>;
}

/**
 * The local issuer's system clients are the client types (one definition for both stacks); each
 * may ask for any narrower SMART scope of its allowance, so those are the resource server's scopes.
 */
const clientScopes = Object.fromEntries(Object.entries(SYSTEM_CLIENT_SCOPES)
  .filter(([, allowance]) => allowance !== '')
  .map(([name, allowance]) => [name, grantableScopes(allowance).split(' ')]));

/** Cognito writes a scope as `<resource server>/<name>`: the server `system` makes `system/Patient.rs`. */
const SMART_SYSTEM_PREFIX = 'system/';

function externalIssuer(): Issuer | undefined {
  const issuer = process.env.AUTH_ISSUER;
  if (!issuer) return undefined;
  const audience = process.env.AUTH_AUDIENCE;
  if (!issuer.startsWith('https://') || !audience) {
    throw new Error('An external issuer needs an https AUTH_ISSUER and an AUTH_AUDIENCE');
  }
  return {
    issuer, kind: 'oidc', audience,
    ...(process.env.AUTH_JWKS_URI ? { jwksUri: process.env.AUTH_JWKS_URI } : {}),
    legacyTokenTypes: process.env.AUTH_ALLOW_LEGACY_TYP === 'true',
  };
}

function cognitoIssuer(): Issuer & { clients: Record<string, $util.Output<string>>; tokenEndpoint: $util.Output<string> } {
  const pool = new aws.cognito.UserPool('Issuer', {
    name: stackName('issuer'),
    deletionProtection: isProduction ? 'ACTIVE' : 'INACTIVE',
    // Machine clients only: nobody signs up, and any user an admin adds must use MFA.
    adminCreateUserConfig: { allowAdminCreateUserOnly: true },
    mfaConfiguration: 'ON',
    softwareTokenMfaConfiguration: { enabled: true },
    passwordPolicy: {
      minimumLength: 14, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true,
      temporaryPasswordValidityDays: 1,
    },
  });
  const domain = new aws.cognito.UserPoolDomain('IssuerDomain', {
    userPoolId: pool.id,
    domain: $interpolate`${stackName('auth')}-${awsContext.accountId}`,
  });
  const scopeNames = [...new Set(Object.values(clientScopes).flat())].map((scope) => scope.slice(SMART_SYSTEM_PREFIX.length));
  const server = new aws.cognito.ResourceServer('IssuerSmartScopes', {
    userPoolId: pool.id,
    identifier: SMART_SYSTEM_PREFIX.slice(0, -1),
    name: 'SMART system scopes',
    scopes: scopeNames.map((scopeName) => ({ scopeName, scopeDescription: `SMART ${SMART_SYSTEM_PREFIX}${scopeName}` })),
  });
  const clients = Object.fromEntries(Object.entries(clientScopes)
    .map(([type, scopes]) => [type, new aws.cognito.UserPoolClient(`IssuerClient${type[0]!.toUpperCase()}${type.slice(1)}`, {
      name: type,
      userPoolId: pool.id,
      generateSecret: true,
      allowedOauthFlowsUserPoolClient: true,
      allowedOauthFlows: ['client_credentials'],
      allowedOauthScopes: scopes,
      supportedIdentityProviders: ['COGNITO'],
      // Matches the API's token lifetime cap (AUTH_MAX_TOKEN_LIFETIME_SECONDS, 900 s).
      accessTokenValidity: 10,
      tokenValidityUnits: { accessToken: 'minutes' },
      enableTokenRevocation: true,
      preventUserExistenceErrors: 'ENABLED',
    }, { dependsOn: [server] }).id]));
  const issuer = $interpolate`https://cognito-idp.${awsContext.region}.amazonaws.com/${pool.id}`;
  return {
    issuer,
    // Cognito access tokens have no `aud` and no `typ`; the API accepts them by client_id (AUTH_CLIENT_IDS).
    kind: 'cognito',
    legacyTokenTypes: true,
    clientIds: $util.all(Object.values(clients)).apply((ids) => ids.join(',')),
    jwksUri: $interpolate`${issuer}/.well-known/jwks.json`,
    clients,
    tokenEndpoint: $interpolate`https://${domain.domain}.auth.${awsContext.region}.amazoncognito.com/oauth2/token`,
  };
}

export const issuer: Issuer & { clients?: Record<string, $util.Output<string>>; tokenEndpoint?: $util.Output<string> } =
  externalIssuer() ?? cognitoIssuer();
