import { IdempotencyItemAlreadyExistsError, IdempotencyRecordStatus, PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { randomBytes } from 'node:crypto';

const { statusAttr, expiryAttr, inProgressExpiryAttr, dataAttr, validationKeyAttr } = PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS;
/** The attribute that names the request holding a lock. */
export const OWNER_ATTRIBUTE = 'owner';

/**
 * The Powertools DynamoDB persistence layer, fenced: the conditional put that takes a lock also
 * writes a random owner token, and only the request holding that token may store the result or
 * release the lock, and only while it is still that lock.
 *
 * Upstream deletes and completes by key alone (aws-powertools/powertools-lambda-typescript#5675):
 * a concurrent duplicate, a request reusing a key with another body, or a request whose lock
 * expired and passed to a retry, deletes or overwrites the record another request now holds. A
 * timestamp is no fence (a lock written without a Lambda context has none, and anyone who reads
 * the record learns it); a token only the writer knows is. One instance serves one request.
 *
 * It overrides three hooks that Powertools' BasePersistenceLayer calls: `_putRecord` from
 * `saveInProgress`, `_updateRecord` from `saveSuccess`, `_deleteRecord` from `deleteRecord`;
 * lock-owning-persistence.test.ts fails if the pinned version stops calling them.
 */
export class LockOwningPersistenceLayer extends DynamoDBPersistenceLayer {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  #owner: string | undefined;

  constructor(options: { tableName: string; client: DynamoDBClient }) {
    super({ tableName: options.tableName, awsSdkV3Client: options.client });
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  /** Upstream's conditions for taking a key (new, expired, or an in-progress lock past its expiry), plus the owner token. */
  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    const owner = randomBytes(16).toString('base64url');
    const now = Date.now();
    try {
      await this.#client.send(new PutItemCommand({
        TableName: this.#tableName,
        Item: {
          ...this.getKey(record.idempotencyKey),
          ...marshall({ [expiryAttr]: record.expiryTimestamp, [statusAttr]: record.getStatus(), [OWNER_ATTRIBUTE]: owner }),
          ...(record.inProgressExpiryTimestamp === undefined ? {} : { [inProgressExpiryAttr]: { N: String(record.inProgressExpiryTimestamp) } }),
          ...(this.isPayloadValidationEnabled() && record.payloadHash !== undefined ? { [validationKeyAttr]: { S: record.payloadHash } } : {}),
        },
        ConditionExpression: 'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inProgress AND attribute_exists(#lockExpiry) AND #lockExpiry < :nowMs)',
        ExpressionAttributeNames: { '#id': 'id', '#expiry': expiryAttr, '#status': statusAttr, '#lockExpiry': inProgressExpiryAttr },
        ExpressionAttributeValues: marshall({ ':now': now / 1000, ':nowMs': now, ':inProgress': IdempotencyRecordStatus.INPROGRESS }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // How Powertools expects a taken key to be reported: with the record that holds it.
      throw new IdempotencyItemAlreadyExistsError('The idempotency key is taken', error.Item && existingRecord(error.Item));
    }
    this.#owner = owner;
  }

  protected override async _updateRecord(record: IdempotencyRecord): Promise<void> {
    if (this.#owner === undefined) return; // never held the lock: the result is not ours to store
    await this.#whileOwned(new UpdateItemCommand({
      TableName: this.#tableName,
      Key: this.getKey(record.idempotencyKey),
      UpdateExpression: 'SET #status = :status, #expiry = :expiry, #data = :data REMOVE #owner',
      ConditionExpression: '#status = :inProgress AND #owner = :mine',
      ExpressionAttributeNames: { '#status': statusAttr, '#expiry': expiryAttr, '#data': dataAttr, '#owner': OWNER_ATTRIBUTE },
      ExpressionAttributeValues: marshall({
        ':status': record.getStatus(), ':expiry': record.expiryTimestamp, ':data': record.responseData,
        ':inProgress': IdempotencyRecordStatus.INPROGRESS, ':mine': this.#owner,
      }, { removeUndefinedValues: true }),
    }));
  }

  protected override async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    if (this.#owner === undefined) return; // this request never held the lock: nothing of its own to release
    await this.#whileOwned(new DeleteItemCommand({
      TableName: this.#tableName,
      Key: this.getKey(record.idempotencyKey),
      ConditionExpression: '#status = :inProgress AND #owner = :mine',
      ExpressionAttributeNames: { '#status': statusAttr, '#owner': OWNER_ATTRIBUTE },
      ExpressionAttributeValues: marshall({ ':inProgress': IdempotencyRecordStatus.INPROGRESS, ':mine': this.#owner }),
    }));
  }

  /** Sends a write fenced by the owner token, once. A failed condition means the lock expired and passed to another request: not ours to touch. */
  async #whileOwned(command: UpdateItemCommand | DeleteItemCommand): Promise<void> {
    try {
      await this.#client.send(command as UpdateItemCommand);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    } finally {
      this.#owner = undefined;
    }
  }
}

function existingRecord(item: Record<string, AttributeValue>): IdempotencyRecord {
  const fields = unmarshall(item);
  return new IdempotencyRecord({
    idempotencyKey: fields.id, status: fields[statusAttr], expiryTimestamp: fields[expiryAttr],
    inProgressExpiryTimestamp: fields[inProgressExpiryAttr], responseData: fields[dataAttr], payloadHash: fields[validationKeyAttr],
  });
}
