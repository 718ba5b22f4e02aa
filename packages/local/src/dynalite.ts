import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '@health-api/core';
import { tableList } from '@health-api/core';
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  close: () => Promise<void>;
}

/** Credentials dynalite ignores but the SDK insists on. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

function createTableInput(table: TableDefinition) {
  const keyNames = new Set([table.partitionKey, table.sortKey, ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey])]);
  const key = (partitionKey: string, sortKey?: string) => [
    { AttributeName: partitionKey, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: table.name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...keyNames].filter((n): n is string => !!n).map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
    KeySchema: key(table.partitionKey, table.sortKey),
    ...(table.indexes.length > 0 ? {
      GlobalSecondaryIndexes: table.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: key(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: 'ALL' as const },
      })),
    } : {}),
  };
}

/** Creates every table of `tables.ts` that does not exist yet. */
export async function createTables(client: DynamoDBClient, definitions: readonly TableDefinition[] = tableList): Promise<void> {
  for (const table of definitions) {
    try {
      await client.send(new CreateTableCommand(createTableInput(table)));
    } catch (error) {
      if ((error as Error).name !== 'ResourceInUseException') throw error;
    }
    if (table.ttlAttribute) {
      await client.send(new UpdateTimeToLiveCommand({
        TableName: table.name,
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
      })).catch(() => undefined); // dynalite does not implement TTL; AWS does.
    }
  }
}

/** Starts dynalite on loopback (in memory unless `path` is given) with every table created. */
export async function startDynalite(options: { port?: number; path?: string } = {}): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
  await createTables(client);
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
