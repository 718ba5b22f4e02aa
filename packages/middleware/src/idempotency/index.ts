import {
  IdempotencyAlreadyInProgressError, IdempotencyConfig, IdempotencyInconsistentStateError, IdempotencyValidationError, makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { RouteDefinition } from '@health-api/core';
import { ApiError, config } from '@health-api/core';
import { dynamoClient, openJson, sealJson } from '@health-api/core/data';
import type { Context } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { v5 as uuidV5 } from 'uuid';
import { callerBinding } from '../caller-binding.js';
import { logger } from '../logging/logger.js';
import type { BusinessFunction, BusinessInput, BusinessResult } from '../business-contract.js';
import { LockOwningPersistenceLayer } from './lock-owning-persistence.js';

/** The header that carries the client's idempotency key (lower case: headers are normalised). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** How long a stored result answers a retry. */
const RESULT_LIFETIME_SECONDS = 24 * 60 * 60;

interface Attempt {
  /** Who is asking: keys are scoped per caller, so nobody can replay another client's result. */
  caller: string;
  key: string;
  body: unknown;
}

/** What the idempotency table keeps: the first response, sealed, since it holds health data. */
interface StoredResult {
  sealed: string;
}

/** The hash of a caller's idempotency key on a route, as sealed results name it. */
const keyHash = (route: RouteDefinition, caller: string, key: string) =>
  createHash('sha256').update(JSON.stringify(['idempotency-key', route.id, caller, key])).digest('base64url');

/** The namespace of the resource ids idempotent creates derive (RFC 9562 name-based UUIDs). */
const RESOURCE_ID_NAMESPACE = 'fa42c138-0f90-45d8-80ca-b1bb5819e10b';

/**
 * The id a create with this caller and key gives its resource: a name-based UUID (version 5),
 * so every attempt of one request writes the same record. The name holds the caller's SHA-256
 * binding; v5's SHA-1 only spreads it into an id, it guards nothing.
 */
const resourceIdFor = (route: RouteDefinition, caller: string, key: string): string => uuidV5(JSON.stringify(['resource-id', route.id, caller, key]), RESOURCE_ID_NAMESPACE);

/** Powertools' idempotency errors as our ApiErrors; any other error passes unchanged. */
function fromIdempotencyError(route: RouteDefinition, error: unknown): unknown {
  if (error instanceof IdempotencyValidationError) return new ApiError('IDEMPOTENCY_KEY_REUSED', { reason: 'payload mismatch', cause: error });
  if (error instanceof IdempotencyAlreadyInProgressError) return new ApiError('IDEMPOTENCY_IN_PROGRESS', { reason: error.name, cause: error });
  if (error instanceof IdempotencyInconsistentStateError) {
    // The record changed under Powertools' retries: a fault of the store, not a duplicate the client sent.
    logger.warn('idempotency record inconsistent', { route: route.id });
    return new ApiError('SERVICE_UNAVAILABLE', { reason: error.name, cause: error, headers: { 'Retry-After': '1' } });
  }
  return error;
}

/**
 * Makes a create route idempotent by the `Idempotency-Key` header, with Powertools Idempotency
 * and its DynamoDB persistence layer: the same caller, key and body get the first response
 * again; a duplicate while the first is running gets 409 and the first still completes; the
 * same key with another body gets 422 and the stored result stays; a record Powertools finds
 * inconsistent after its retries is a 503 (logged). Without a key the request
 * runs normally unless the route requires one.
 *
 * The function form (`makeIdempotent`) deletes a lock only when its own function failed, and
 * the persistence layer deletes only its own lock; the upstream middy middleware is not used,
 * since its onError deletes locks of other requests (issue 5675).
 */
export function idempotent<R extends RouteDefinition>(route: R, business: BusinessFunction<R>): (input: BusinessInput<R>, context: Context) => Promise<BusinessResult> {
  const required = route.idempotency?.required ?? false;
  return async (input, context) => {
    const key = (input.headers as Partial<Record<string, string>>)[IDEMPOTENCY_KEY_HEADER];
    if (key === undefined) {
      if (required) throw new ApiError('IDEMPOTENCY_KEY_REQUIRED');
      return business(input);
    }
    const idempotencyConfig = new IdempotencyConfig({
      eventKeyJmesPath: '[caller, key]',
      payloadValidationJmesPath: 'body',
      throwOnNoIdempotencyKey: true,
      expiresAfterSeconds: RESULT_LIFETIME_SECONDS,
      hashFunction: 'sha256',
    });
    // The lock expires with this invocation, so a crashed request does not block retries for long.
    idempotencyConfig.registerLambdaContext(context);
    const persistenceStore = new LockOwningPersistenceLayer({ tableName: config().data.tableNames.idempotency, client: dynamoClient() });
    const caller = callerBinding(input.auth);
    // Bound to this caller's key, so a stored result copied onto another key's record fails to open.
    const encryptionContext = { purpose: 'idempotent-response', route: route.id, key: keyHash(route, caller, key) };
    let fresh: BusinessResult | undefined;
    const once = makeIdempotent(async (_attempt: Attempt): Promise<StoredResult> => {
      fresh = await business({ ...input, newResourceId: resourceIdFor(route, caller, key) });
      return { sealed: Buffer.from(await sealJson(fresh, encryptionContext)).toString('base64') };
    }, { persistenceStore, config: idempotencyConfig, keyPrefix: `health-api#${route.id}` });
    try {
      const stored = await once({ caller, key, body: input.body });
      return fresh ?? await openJson<BusinessResult>(Buffer.from(stored.sealed, 'base64'), encryptionContext);
    } catch (error) {
      throw fromIdempotencyError(route, error);
    }
  };
}
