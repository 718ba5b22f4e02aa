/**
 * Runtime configuration, read from the environment in this one place so that nothing else
 * knows whether it runs in AWS or on the local stack.
 */
import { readFileSync } from 'node:fs';
import type { SenderConstraint } from './route.js';
import { tables } from './tables.js';

/**
 * `oidc`: any OpenID Connect / OAuth 2.0 issuer; its access tokens name this API in `aud`.
 * `cognito`: an Amazon Cognito user pool, whose access tokens carry no `aud` (`token_use` is
 * `access` and `client_id` names the app client), so they are bound to this API by client id.
 */
export type IssuerKind = 'oidc' | 'cognito';

export interface AuthConfig {
  /** Exactly the tokens' `iss`, trailing slash and all. */
  issuer: string;
  issuerKind: IssuerKind;
  /** This API's identifier in `aud`; null exactly for a Cognito issuer, whose tokens name none. */
  audience: string | null;
  /** Clients whose tokens are accepted, by `client_id`; required for a Cognito issuer. */
  clientIds: string[];
  /** The issuer's JWKS; when unset, the `jwks_uri` of its discovery document. */
  jwksUri?: string;
  /** Longest accepted token lifetime (`exp - iat`), in seconds. */
  maxTokenLifetimeSeconds: number;
  /** Longest accepted Authorization header, in characters. */
  maxAuthorizationLength: number;
  /** Age after which the JWKS is downloaded again, so withdrawn keys stop verifying. */
  jwksMaxAgeSeconds: number;
  /** Least time between two JWKS downloads caused by unknown key ids. */
  jwksRefetchIntervalSeconds: number;
  /**
   * Also accept access tokens without a `typ` or with `typ: JWT`: for issuers that do not type
   * their access tokens as RFC 9068 `at+jwt` (Cognito, Entra ID, Okta, Keycloak by default).
   */
  legacyTokenTypes: boolean;
  /** Verified tokens kept to skip repeat signature checks (0 turns the cache off). */
  tokenCacheSize: number;
  /** Longest a verified token stays cached, in seconds (never past its `exp`). */
  tokenCacheSeconds: number;
  /** Extra CA certificate (PEM) to trust for the JWKS download, e.g. the local stack's CA. */
  extraCaPem?: string;
  /**
   * Proof of possession every token of this stage must come with: `none` (plain bearer, the
   * default), `dpop` (RFC 9449 proofs) or `mtls` (tokens bound to the client certificate, RFC 8705;
   * the stage needs a mutual-TLS custom domain). Routes may demand more (route manifest).
   */
  senderConstraint: SenderConstraint;
}

export interface DataConfig {
  region: string;
  /** DynamoDB endpoint override: the local stack's DynamoDB Local. Unset in AWS. */
  endpoint?: string;
  /** Physical table names, by logical table key. */
  tableNames: Record<keyof typeof tables, string>;
  /** Keys for field encryption, the blind index and paging cursors. */
  keys: DataKeyConfig;
  /** The audit chains' head key and anchor store. */
  auditSeal: AuditSealConfig;
}

/**
 * Where the data keys come from. In AWS: the customer-managed KMS key `FIELD_KEY_ARN` wraps each
 * record's data key, and the blind-index key material (base64, at least 32 bytes) is read at run
 * time from the Secrets Manager secret `BLIND_INDEX_SECRET_ARN`, so no key is ever in the
 * environment. On the local stack both come from a key file generated on first use
 * (`LOCAL_DATA_KEY_FILE`).
 */
export type DataKeyConfig =
  | { source: 'aws'; fieldKeyArn: string; blindIndexSecretArn: string }
  | { source: 'local-file'; file: string };

/**
 * Where audit chain heads are authenticated and anchored (see audit/chain-seal.ts). In AWS: the
 * KMS HMAC key `AUDIT_MAC_KEY_ARN` (the functions may only GenerateMac with it) and the Object
 * Lock bucket `AUDIT_ANCHOR_BUCKET`. Locally: a key file generated on first use
 * (`LOCAL_AUDIT_KEY_FILE`) and a directory (`LOCAL_AUDIT_ANCHOR_DIR`).
 */
export type AuditSealConfig =
  | { source: 'aws'; macKeyArn: string; anchorBucket: string }
  | { source: 'local-file'; keyFile: string; anchorDir: string };

export interface AppConfig {
  serviceName: string;
  stage: string;
  /**
   * Whether the functions' metrics also carry the caller's client id, in a dimension set of their
   * own (`METRICS_CLIENT_ID_DIMENSION`). Off unless the deployer opts in: every client is a metric.
   */
  metricsClientIds: boolean;
  auth: AuthConfig;
  data: DataConfig;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Missing required configuration ${name}`);
  return value;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`Configuration ${name} must be an integer of at least ${min}`);
  return value;
}
const positiveInt = (env: NodeJS.ProcessEnv, name: string, fallback: number) => integer(env, name, fallback, 1);
const nonNegativeInt = (env: NodeJS.ProcessEnv, name: string, fallback: number) => integer(env, name, fallback, 0);

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw)) throw new Error(`Configuration ${name} must be one of ${values.join(', ')}`);
  return raw as T;
}

function readAuth(env: NodeJS.ProcessEnv): AuthConfig {
  const issuer = required(env, 'AUTH_ISSUER');
  const caFile = env.AUTH_EXTRA_CA_FILE;
  const issuerKind = oneOf(env, 'AUTH_ISSUER_KIND', ['oidc', 'cognito'] as const, 'oidc');
  const clientIds = (env.AUTH_CLIENT_IDS ?? '').split(',').map((id) => id.trim()).filter(Boolean);
  // Without an audience a token for any API of the issuer would do: only Cognito, whose access
  // tokens carry none, goes without one, and then only for the listed clients.
  if (issuerKind === 'cognito' && clientIds.length === 0) throw new Error('A Cognito issuer needs AUTH_CLIENT_IDS');
  if (issuerKind === 'cognito' && env.AUTH_AUDIENCE) throw new Error('A Cognito issuer names no audience: unset AUTH_AUDIENCE');
  return {
    issuer,
    issuerKind,
    audience: issuerKind === 'cognito' ? null : required(env, 'AUTH_AUDIENCE'),
    clientIds,
    ...(env.AUTH_JWKS_URI ? { jwksUri: env.AUTH_JWKS_URI } : {}),
    maxTokenLifetimeSeconds: positiveInt(env, 'AUTH_MAX_TOKEN_LIFETIME_SECONDS', 900),
    maxAuthorizationLength: positiveInt(env, 'AUTH_MAX_HEADER_LENGTH', 4096),
    jwksRefetchIntervalSeconds: positiveInt(env, 'AUTH_JWKS_REFETCH_INTERVAL_SECONDS', 30),
    jwksMaxAgeSeconds: positiveInt(env, 'AUTH_JWKS_MAX_AGE_SECONDS', 900),
    tokenCacheSize: nonNegativeInt(env, 'AUTH_TOKEN_CACHE_SIZE', 1000),
    tokenCacheSeconds: positiveInt(env, 'AUTH_TOKEN_CACHE_SECONDS', 300),
    legacyTokenTypes: oneOf(env, 'AUTH_ALLOW_LEGACY_TYP', ['true', 'false'] as const, 'false') === 'true',
    senderConstraint: oneOf(env, 'AUTH_SENDER_CONSTRAINT', ['none', 'dpop', 'mtls'] as const, 'none'),
    ...(caFile ? { extraCaPem: readFileSync(caFile, 'utf8') } : {}),
  };
}

function dataKeys(env: NodeJS.ProcessEnv): DataKeyConfig {
  if (env.FIELD_KEY_ARN || env.BLIND_INDEX_SECRET_ARN) {
    return { source: 'aws', fieldKeyArn: required(env, 'FIELD_KEY_ARN'), blindIndexSecretArn: required(env, 'BLIND_INDEX_SECRET_ARN') };
  }
  // Never fall back to storing data unencrypted: without a key source the data layer cannot start.
  return { source: 'local-file', file: required(env, 'LOCAL_DATA_KEY_FILE') };
}

function auditSeal(env: NodeJS.ProcessEnv): AuditSealConfig {
  if (env.AUDIT_MAC_KEY_ARN || env.AUDIT_ANCHOR_BUCKET) {
    return { source: 'aws', macKeyArn: required(env, 'AUDIT_MAC_KEY_ARN'), anchorBucket: required(env, 'AUDIT_ANCHOR_BUCKET') };
  }
  // No unkeyed fallback: an audit trail whose heads nobody can authenticate is not started.
  return { source: 'local-file', keyFile: required(env, 'LOCAL_AUDIT_KEY_FILE'), anchorDir: required(env, 'LOCAL_AUDIT_ANCHOR_DIR') };
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  let auth: AuthConfig | undefined;
  return {
    serviceName: env.SERVICE_NAME ?? 'secure-health-api',
    stage: env.STAGE ?? 'local',
    metricsClientIds: oneOf(env, 'METRICS_CLIENT_ID_DIMENSION', ['true', 'false'] as const, 'false') === 'true',
    // Read on first use, so tools that only touch data (audit:verify) need no issuer settings.
    get auth() {
      auth ??= readAuth(env);
      return auth;
    },
    data: {
      region: env.AWS_REGION ?? 'ap-southeast-2',
      ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
      tableNames: Object.fromEntries(
        Object.entries(tables).map(([key, table]) => [key, env[table.envVar] ?? table.name]),
      ) as DataConfig['tableNames'],
      // Read when the data layer first asks, so routes that hold no data need no key settings.
      get keys() { return dataKeys(env); },
      get auditSeal() { return auditSeal(env); },
    },
  };
}

let cached: AppConfig | undefined;

/** The configuration of this container, read once on first use. */
export function config(): AppConfig {
  cached ??= readConfig();
  return cached;
}
