import type { RouteDefinition, SenderConstraint } from '@health-api/core';
import { tableList } from '@health-api/core';
import { handlerModule, routeList } from '@health-api/functions';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LocalCredentials } from './local-dynamodb.js';
import { LOCAL_REGION } from './local-dynamodb.js';
import type { RouteBinding } from './gateway.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface HandlerEnvironment {
  issuer: string;
  audience: string;
  caFile: string;
  dynamoEndpoint: string;
  dynamoCredentials: LocalCredentials;
  dataKeyFile: string;
  /** The audit chains' MAC key file and anchor directory, both created on first use. */
  auditKeyFile: string;
  auditAnchorDir: string;
  /** Proof of possession the stage's tokens need (`AUTH_SENDER_CONSTRAINT`). */
  senderConstraint: SenderConstraint;
}

/**
 * Points the handlers' configuration (read from the environment, see `core/src/config.ts`) at
 * the local issuer (its JWKS found through its discovery document, as in AWS), DynamoDB Local, the
 * local data keyring and the audit trail's local key and anchors. The handlers read it once per process,
 * so one process runs one local stack.
 */
export function configureHandlerEnvironment(env: HandlerEnvironment): void {
  Object.assign(process.env, {
    STAGE: 'local',
    AUTH_ISSUER: env.issuer,
    AUTH_AUDIENCE: env.audience,
    AUTH_EXTRA_CA_FILE: env.caFile,
    DYNAMODB_ENDPOINT: env.dynamoEndpoint,
    LOCAL_DATA_KEY_FILE: env.dataKeyFile,
    LOCAL_AUDIT_KEY_FILE: env.auditKeyFile,
    LOCAL_AUDIT_ANCHOR_DIR: env.auditAnchorDir,
    AUTH_SENDER_CONSTRAINT: env.senderConstraint,
    // The local database's own credentials (they name it in DynamoDB Local); real ones have no
    // business in this process.
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: env.dynamoCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: env.dynamoCredentials.secretAccessKey,
    ...Object.fromEntries(tableList.map((table) => [table.envVar, table.name])),
    // The functions' EMF metrics go to the gateway's dashboard (/_dashboard), not to stdout.
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  // Settings that would send a local handler to AWS (credentials, KMS keys, a bucket), or bind it
  // to another issuer (a JWKS location, a Cognito binding, legacy token types), are dropped.
  for (const name of [
    'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'FIELD_KEY_ARN', 'BLIND_INDEX_SECRET_ARN', 'AUDIT_MAC_KEY_ARN', 'AUDIT_ANCHOR_BUCKET',
    'AUTH_JWKS_URI', 'AUTH_ISSUER_KIND', 'AUTH_CLIENT_IDS', 'AUTH_ALLOW_LEGACY_TYP',
  ]) delete process.env[name];
}

/** Imports each route's handler export from the manifest (call after configuring the environment). */
export async function loadRouteHandlers(routes: readonly RouteDefinition[] = routeList): Promise<RouteBinding[]> {
  return Promise.all(routes.map(async (route) => {
    const module = (await import(pathToFileURL(`${REPOSITORY_ROOT}${handlerModule(route)}`).href)) as { handler?: unknown };
    if (typeof module.handler !== 'function') throw new Error(`${handlerModule(route)} does not export a handler`);
    return { route, handler: module.handler as RouteBinding['handler'] };
  }));
}
