import { IdempotencyRecordStatus, PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';

/**
 * The Powertools DynamoDB persistence layer, changed in one way: a record is deleted only by the
 * request that wrote its in-progress lock, and only while it is still that lock.
 *
 * Upstream deletes by key alone (aws-powertools/powertools-lambda-typescript#5675): through its
 * middy middleware a concurrent duplicate, or a request reusing a key with another body, deletes
 * the first request's lock or its stored result. One instance serves one request, so the lock
 * it wrote (identified by its in-progress expiry, a millisecond timestamp) is its fencing token.
 */
export class LockOwningPersistenceLayer extends DynamoDBPersistenceLayer {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  #lock: number | undefined;

  constructor(options: { tableName: string; client: DynamoDBClient }) {
    super({ tableName: options.tableName, awsSdkV3Client: options.client });
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    await super._putRecord(record);
    this.#lock = record.inProgressExpiryTimestamp;
  }

  protected override async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    if (this.#lock === undefined) return; // this request never held the lock: nothing of its own to release
    try {
      await this.#client.send(new DeleteItemCommand({
        TableName: this.#tableName,
        Key: { id: { S: record.idempotencyKey } },
        ConditionExpression: '#status = :inProgress AND #lock = :mine',
        ExpressionAttributeNames: { '#status': PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.statusAttr, '#lock': PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.inProgressExpiryAttr },
        ExpressionAttributeValues: { ':inProgress': { S: IdempotencyRecordStatus.INPROGRESS }, ':mine': { N: String(this.#lock) } },
      }));
    } catch (error) {
      // The lock expired and another request holds it, or the result was stored: not ours to delete.
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    } finally {
      this.#lock = undefined;
    }
  }
}
