import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AWS_CLIENT_LIMITS } from '../aws-client-limits.js';
import { config } from '../config.js';
import { traced } from '../tracing.js';

let client: DynamoDBClient | undefined;
let documents: DynamoDBDocumentClient | undefined;
let stackCached: DynamoDBClient | undefined;

/** How items are marshalled: `undefined` values are refused rather than silently dropped. */
export const MARSHALL_OPTIONS = { removeUndefinedValues: false, convertClassInstanceToMap: false } as const;

/** The one DynamoDB client of this container, built on first use. */
export function dynamoClient(): DynamoDBClient {
  const { region, endpoint } = config().data;
  client ??= traced(new DynamoDBClient({
    region,
    ...(endpoint ? { endpoint } : {}),
    ...AWS_CLIENT_LIMITS,
  }));
  return client;
}

/** Document view of the same client, marshalling with `MARSHALL_OPTIONS`. */
export function documentClient(): DynamoDBDocumentClient {
  documents ??= DynamoDBDocumentClient.from(dynamoClient(), { marshallOptions: { ...MARSHALL_OPTIONS } });
  return documents;
}

/**
 * For calls sent without per-call options (the audit trail's appends): the same endpoint, limits,
 * connections and credentials as `dynamoClient()`, but each command's middleware stack is resolved
 * once and reused (`cacheMiddleware`) rather than built and sorted again on every call, about a
 * quarter of a call's CPU when measured. The document client refuses that setting (its commands
 * would share a stack), and a call given options (an abort signal) builds its stack anyway, so
 * this is a plain client and its callers marshall with `MARSHALL_OPTIONS`.
 */
export function stackCachedClient(): DynamoDBClient {
  if (!stackCached) {
    const { region, endpoint } = config().data;
    const shared = dynamoClient().config;
    stackCached = traced(new DynamoDBClient({
      region,
      ...(endpoint ? { endpoint } : {}),
      ...AWS_CLIENT_LIMITS,
      requestHandler: shared.requestHandler,
      credentials: shared.credentials,
      cacheMiddleware: true,
    }));
  }
  return stackCached;
}
