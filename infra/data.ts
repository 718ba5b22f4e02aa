/**
 * Storage: the DynamoDB tables of packages/core/src/tables.ts, encrypted with a customer-managed
 * key, with point-in-time recovery and (on production) deletion protection; plus the key and
 * secret the repository uses for field-level envelope encryption and the NHI blind index.
 */
import { randomBytes } from 'node:crypto';
import { tables as tableDefinitions, type TableDefinition } from '../packages/core/src/tables';
import { customerManagedKey } from './keys';
import { isProduction } from './stage';

export type TableKey = keyof typeof tableDefinitions;

export const tablesKey = customerManagedKey('TablesKey', 'Encrypts the DynamoDB tables at rest');

/** Second key: the data key of each record's encrypted fields (envelope encryption). */
export const fieldKey = customerManagedKey('FieldEncryptionKey', 'Envelope encryption of patient fields');

/**
 * Key material of the NHI blind index and search cursors (base64, 32 bytes; see
 * packages/core/src/crypto/data-keys.ts). Generated at the first deploy and kept: later deploys
 * make a new value but ignore it. Pulumi holds it only as an encrypted secret in the state.
 * Replacing it invalidates every stored index value. (No @pulumi/random: `sst install` loads
 * this program before the platform's packages exist.)
 */
export const blindIndexSecret = new aws.secretsmanager.Secret('BlindIndexKey', {
  description: 'HMAC key of the NHI blind index',
  kmsKeyId: fieldKey.arn,
  recoveryWindowInDays: 30,
});
new aws.secretsmanager.SecretVersion('BlindIndexKeyVersion', {
  secretId: blindIndexSecret.id,
  secretString: $util.secret(randomBytes(32).toString('base64')),
}, { ignoreChanges: ['secretString'] });

function table(definition: TableDefinition): aws.dynamodb.Table {
  const keyNames = new Set([
    definition.partitionKey,
    definition.sortKey,
    ...definition.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ].filter((n): n is string => Boolean(n)));
  return new aws.dynamodb.Table(`${definition.name}Table`, {
    billingMode: 'PAY_PER_REQUEST',
    hashKey: definition.partitionKey,
    rangeKey: definition.sortKey,
    attributes: [...keyNames].map((name) => ({ name, type: 'S' })),
    globalSecondaryIndexes: definition.indexes.map((index) => ({
      name: index.name,
      hashKey: index.partitionKey,
      rangeKey: index.sortKey,
      projectionType: 'ALL',
    })),
    ttl: definition.ttlAttribute ? { attributeName: definition.ttlAttribute, enabled: true } : undefined,
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true, kmsKeyArn: tablesKey.arn },
    deletionProtectionEnabled: isProduction,
  });
}

export const tables = Object.fromEntries(
  Object.entries(tableDefinitions).map(([key, definition]) => [key, table(definition)]),
) as Record<TableKey, aws.dynamodb.Table>;

export { tableDefinitions };
