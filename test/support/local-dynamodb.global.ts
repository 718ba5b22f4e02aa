/**
 * Vitest global setup: one DynamoDB Local JVM for the whole run (a JVM per test file would cost
 * seconds each). It starts in the background; `startLocalDynamo` waits for it and takes a fresh
 * database in it per start, so test files stay isolated from one another.
 */
import { SHARED_ENDPOINT_VAR, spawnDynamoDbLocal } from '../../packages/local/src/local-dynamodb.js';

export default async function setup(): Promise<() => Promise<void>> {
  const dynamo = await spawnDynamoDbLocal({ databasePerCredential: true });
  // Read by the test workers, which start after this and inherit the environment.
  process.env[SHARED_ENDPOINT_VAR] = dynamo.endpoint;
  return () => dynamo.stop();
}
