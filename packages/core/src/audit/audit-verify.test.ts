import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDynamo } from '../../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../../test/support/dynamo.js';
import { auditEvent } from './audit-event.js';
import { AuditTrail } from './audit-trail.js';
import { verifyAuditTrail } from './audit-verify.js';
import type { AuditRecord } from './hash-chain.js';

let dynamo: TestDynamo;
beforeAll(async () => { dynamo = await startTestDynamo(); });
afterAll(() => dynamo.close());

const event = (i: number) => auditEvent({
  interaction: 'read', resourceType: 'Patient', resourceId: `v${i}`, status: 200, clientId: 'clinical',
  requestId: crypto.randomUUID(), recorded: new Date().toISOString(), observer: 'test',
});

const trailOf = (everyRecords: number) => new AuditTrail(dynamo.documents, dynamo.auditTables, dynamo.sealing, { policy: { everyRecords, afterMs: 60_000 } });

async function appendAll(trail: AuditTrail, count: number): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for (let i = 0; i < count; i += 1) records.push(await trail.append(event(i)));
  return records;
}

/** A document client on the same database that notes each command and the table it names. */
function observedDocuments(): { documents: DynamoDBDocumentClient; calls: string[] } {
  const calls: string[] = [];
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: dynamo.credentials });
  client.middlewareStack.add((next, context) => async (args) => {
    calls.push(`${context.commandName} ${String((args.input as { TableName?: string }).TableName)}`);
    return next(args);
  }, { step: 'initialize' });
  return { documents: DynamoDBDocumentClient.from(client), calls };
}

describe('sealing and verifying the audit chains', () => {
  it('opens a chain before its first record and seals its head at once, every N records and on close', async () => {
    const trail = trailOf(3);
    const [first] = await appendAll(trail, 5);
    await trail.close();
    const chain = first!.chain;
    const marks = (await dynamo.scan('AuditSeals')).filter((item) => item.chain === chain).map((item) => item.mark).sort();
    expect(marks).toEqual(['head#000000000000', 'head#000000000003', 'head#000000000004', 'open']);
    expect(readdirSync(join(dynamo.anchorDir, chain)).sort()).toEqual(['000000000000.json', '000000000003.json', '000000000004.json']);
  });

  it('walks each chain with queries on its own partition, never a scan of the audit table', async () => {
    const trails = [trailOf(100), trailOf(100)];
    for (const trail of trails) await appendAll(trail, 3);
    await Promise.all(trails.map((trail) => trail.close()));
    const { documents, calls } = observedDocuments();
    const result = await verifyAuditTrail(documents, dynamo.auditTables, dynamo.sealing);
    expect(result.faults).toEqual([]);
    expect(result.records).toBe((await dynamo.scan('Audit')).length);
    expect(calls.filter((call) => call.endsWith(' Audit'))).toEqual(Array.from({ length: result.chains }, () => 'QueryCommand Audit'));
  });

  it('reports a sealed head whose MAC does not verify', async () => {
    const trail = trailOf(100);
    const [record] = await appendAll(trail, 1);
    await trail.close();
    const chain = record!.chain;
    await dynamo.documents.send(new PutCommand({
      TableName: 'AuditSeals',
      Item: { chain, mark: 'head#000000000000', lastSeq: '000000000000', lastHash: record!.hash, mac: Buffer.alloc(32).toString('base64') },
    }));
    const { faults } = await verifyAuditTrail(dynamo.documents, dynamo.auditTables, dynamo.sealing);
    expect(faults.find((f) => f.chain === chain)).toEqual({ chain, kind: 'forged-seal', seq: '000000000000' });
  });

  it('counts a chain whose first write failed, and whose opening is all it has, as intact', async () => {
    const before = await verifyAuditTrail(dynamo.documents, dynamo.auditTables, dynamo.sealing);
    const trail = new AuditTrail(dynamo.documents, { ...dynamo.auditTables, audit: 'NoSuchTable' }, dynamo.sealing);
    await expect(trail.append(event(0))).rejects.toThrow();
    await trail.close();
    const after = await verifyAuditTrail(dynamo.documents, dynamo.auditTables, dynamo.sealing);
    expect(after.chains).toBe(before.chains + 1);
    expect(after.faults).toEqual(before.faults);
  });
});
