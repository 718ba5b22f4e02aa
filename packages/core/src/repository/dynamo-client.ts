import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AWS_CLIENT_LIMITS } from '../aws-client-limits.js';
import { config } from '../config.js';
import { traced } from '../tracing.js';

let client: DynamoDBClient | undefined;
let documents: DynamoDBDocumentClient | undefined;

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

/** Document view of the same client; `undefined` values are refused rather than silently dropped. */
export function documentClient(): DynamoDBDocumentClient {
  documents ??= DynamoDBDocumentClient.from(dynamoClient(), { marshallOptions: { removeUndefinedValues: false, convertClassInstanceToMap: false } });
  return documents;
}
