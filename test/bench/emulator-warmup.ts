import { DeleteTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { tables } from '../../packages/core/src/tables.js';
import { createTables } from '../../packages/local/src/local-dynamodb.js';

/** A table shaped like the audit table (same keys, same index), for the warm-up's writes: the real one stays a trail. */
const SCRATCH = { ...tables.audit, name: 'BenchWarmup', envVar: 'BENCH_WARMUP_TABLE' };

/**
 * Brings DynamoDB Local's JIT to its steady state before it is measured: a read's two calls (a
 * consistent GetItem of `key` in the resources table, a conditional PutItem into a table shaped
 * like the audit table), `pairs` times, straight to the JVM. Measured here, a fresh JVM spends
 * about twice the CPU per call over its first few thousand calls as afterwards, and a five-second
 * run through the gateway makes fewer than that: it would measure the emulator's warm-up, which
 * DynamoDB in AWS does not have. Nothing of this goes through the counting front.
 */
export async function warmEmulator(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, key: { pk: string; sk: string }, pairs: number): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials });
  try {
    await createTables(client, [SCRATCH]);
    const event = { M: { type: { S: 'rest' }, action: { S: 'R' }, outcome: { S: '0' }, recorded: { S: new Date().toISOString() } } };
    let next = 0;
    const worker = async () => {
      while (next < pairs) {
        const seq = String(next++).padStart(12, '0');
        await client.send(new GetItemCommand({ TableName: tables.resources.name, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, ConsistentRead: true }));
        await client.send(new PutItemCommand({
          TableName: SCRATCH.name,
          Item: { chain: { S: 'warm-up' }, seq: { S: seq }, day: { S: '1970-01-01' }, recordedSeq: { S: `1970-01-01#${seq}` }, event },
          ConditionExpression: 'attribute_not_exists(chain)',
        }));
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
  } finally {
    await client.send(new DeleteTableCommand({ TableName: SCRATCH.name })).catch(() => undefined);
    client.destroy();
  }
}
