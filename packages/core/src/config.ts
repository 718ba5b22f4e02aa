/**
 * Runtime configuration, read from the environment in this one place so that nothing else
 * knows whether it runs in AWS or on the local stack.
 */
import { readFileSync } from 'node:fs';
import { tables } from './tables.js';

export interface AuthConfig {
  issuer: string;
  audience: string;
  jwksUri: string;
  /** Longest accepted token lifetime (`exp - iat`), in seconds. */
  maxTokenLifetimeSeconds: number;
  /** Longest accepted Authorization header, in characters. */
  maxAuthorizationLength: number;
  /** Least time between two JWKS downloads caused by unknown key ids. */
  jwksRefetchIntervalSeconds: number;
  /** Accepted JOSE `typ` values, compared case-insensitively, when the header has one. */
  acceptedTokenTypes: string[];
  /** Extra CA certificate (PEM) to trust for the JWKS download, e.g. the local stack's CA. */
  extraCaPem?: string;
}

export interface DataConfig {
  region: string;
  /** DynamoDB endpoint override: the local stack's dynalite. Unset in AWS. */
  endpoint?: string;
  /** Physical table names, by logical table key. */
  tableNames: Record<keyof typeof tables, string>;
}

export interface AppConfig {
  serviceName: string;
  stage: string;
  auth: AuthConfig;
  data: DataConfig;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Missing required configuration ${name}`);
  return value;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`Configuration ${name} must be a positive integer`);
  return value;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const issuer = required(env, 'AUTH_ISSUER');
  const caFile = env.AUTH_EXTRA_CA_FILE;
  return {
    serviceName: env.SERVICE_NAME ?? 'secure-health-api',
    stage: env.STAGE ?? 'local',
    auth: {
      issuer,
      audience: required(env, 'AUTH_AUDIENCE'),
      jwksUri: env.AUTH_JWKS_URI ?? `${issuer}/.well-known/jwks.json`,
      maxTokenLifetimeSeconds: positiveInt(env, 'AUTH_MAX_TOKEN_LIFETIME_SECONDS', 900),
      maxAuthorizationLength: positiveInt(env, 'AUTH_MAX_HEADER_LENGTH', 4096),
      jwksRefetchIntervalSeconds: positiveInt(env, 'AUTH_JWKS_REFETCH_INTERVAL_SECONDS', 30),
      acceptedTokenTypes: (env.AUTH_ACCEPTED_TOKEN_TYPES ?? 'at+jwt,application/at+jwt,JWT')
        .split(',').map((t) => t.trim().toLowerCase()).filter(Boolean),
      ...(caFile ? { extraCaPem: readFileSync(caFile, 'utf8') } : {}),
    },
    data: {
      region: env.AWS_REGION ?? 'ap-southeast-2',
      ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
      tableNames: Object.fromEntries(
        Object.entries(tables).map(([key, table]) => [key, env[table.envVar] ?? table.name]),
      ) as DataConfig['tableNames'],
    },
  };
}

let cached: AppConfig | undefined;

/** The configuration of this container, read once on first use. */
export function config(): AppConfig {
  cached ??= readConfig();
  return cached;
}
