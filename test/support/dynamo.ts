import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalDynamo } from '../../packages/local/src/dynalite.js';
import { LOCAL_CREDENTIALS, startDynalite } from '../../packages/local/src/dynalite.js';

export interface TestDynamo extends LocalDynamo {
  documents: DynamoDBDocumentClient;
  /** Every item of a table, for "nothing was written" assertions. */
  scan: (table: string) => Promise<Record<string, unknown>[]>;
}

/** dynalite in memory with every table, and the handlers' configuration pointed at it. */
export async function startTestDynamo(): Promise<TestDynamo> {
  const dynamo = await startDynalite();
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  });
  const documents = DynamoDBDocumentClient.from(dynamo.client);
  const scan = async (table: string) => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(new ScanCommand({ TableName: table, ...(start ? { ExclusiveStartKey: start } : {}) }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };
  return { ...dynamo, documents, scan };
}
