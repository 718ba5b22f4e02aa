import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditTables, Sealing } from '../../packages/core/src/data.js';
import { sealingFor } from '../../packages/core/src/data.js';
import type { LocalDynamo } from '../../packages/local/src/local-dynamodb.js';
import { LOCAL_REGION, startLocalDynamo } from '../../packages/local/src/local-dynamodb.js';

export interface TestDynamo extends LocalDynamo {
  documents: DynamoDBDocumentClient;
  /** Every item of a table, for "nothing was written" assertions. */
  scan: (table: string) => Promise<Record<string, unknown>[]>;
  /** The audit chains' local key file and anchor directory, as the handlers are configured. */
  sealing: Sealing;
  auditTables: AuditTables;
  anchorDir: string;
}

/** A fresh in-memory DynamoDB Local database with every table, and the handlers' configuration pointed at it. */
export async function startTestDynamo(): Promise<TestDynamo> {
  const dynamo = await startLocalDynamo();
  const auditDir = mkdtempSync(join(tmpdir(), 'audit-seal-'));
  const seal = { source: 'local-file', keyFile: join(auditDir, 'keys', 'audit-key.json'), anchorDir: join(auditDir, 'anchors') } as const;
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: dynamo.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: dynamo.credentials.secretAccessKey,
    LOCAL_AUDIT_KEY_FILE: seal.keyFile,
    LOCAL_AUDIT_ANCHOR_DIR: seal.anchorDir,
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
  const sealing = await sealingFor(seal, 'local');
  return { ...dynamo, documents, scan, sealing, auditTables: { audit: 'Audit', seals: 'AuditSeals' }, anchorDir: seal.anchorDir };
}
