import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDynamo } from '../../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../../test/support/dynamo.js';
import { auditEvent } from './audit-event.js';
import { AuditTrail } from './audit-trail.js';
import type { AuditRecord } from './hash-chain.js';
import { link } from './hash-chain.js';

const run = promisify(execFile);
let dynamo: TestDynamo;
beforeAll(async () => { dynamo = await startTestDynamo(); });
afterAll(() => dynamo.close());

/** `npm run audit:verify` against DynamoDB Local, with the key file and anchor directory the trail used. */
async function auditVerify(): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run('npx', ['tsx', 'packages/core/src/audit/verify-cli.ts'], { env: { ...process.env, AUDIT_TABLE: 'Audit' } });
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, out: failed.stdout };
  }
}

const event = (i: number) => auditEvent({
  interaction: 'read', resourceType: 'Patient', resourceId: `p${i}`, status: 200, clientId: 'clinical',
  requestId: crypto.randomUUID(), recorded: new Date().toISOString(), observer: 'test',
});

/** A chain of `length` records, sealed every 3 records and at its end (the writer's close). */
async function writeChain(length: number): Promise<AuditRecord[]> {
  const trail = new AuditTrail(dynamo.documents, dynamo.auditTables, dynamo.sealing, { policy: { everyRecords: 3, afterMs: 60_000 } });
  const records: AuditRecord[] = [];
  for (let i = 0; i < length; i += 1) records.push(await trail.append(event(i)));
  await trail.close();
  return records;
}

/** What someone who can write both tables (but not the anchor store, nor use the key) does. */
const attacker = {
  put: (record: AuditRecord) => dynamo.documents.send(new PutCommand({ TableName: 'Audit', Item: record })),
  remove: (record: AuditRecord) => dynamo.documents.send(new DeleteCommand({ TableName: 'Audit', Key: { chain: record.chain, seq: record.seq } })),
  /** Deletes the chain's opening and every sealed head from the seals table. */
  removeSeals: async (chain: string) => {
    const { Items = [] } = await dynamo.documents.send(new QueryCommand({ TableName: 'AuditSeals', KeyConditionExpression: 'chain = :c', ExpressionAttributeValues: { ':c': chain } }));
    for (const item of Items) await dynamo.documents.send(new DeleteCommand({ TableName: 'AuditSeals', Key: { chain, mark: item.mark } }));
  },
};

describe('npm run audit:verify', () => {
  it('passes an intact trail and names the first broken link of a tampered one', async () => {
    const records = await writeChain(3);
    const intact = await auditVerify();
    expect(intact).toMatchObject({ code: 0 });
    expect(intact.out).toContain('3 records in 1 chains');

    const victim = records[1]!;
    await attacker.put({ ...victim, event: { ...victim.event, outcome: '8' } });
    const tampered = await auditVerify();
    expect(tampered.code).toBe(1);
    expect(tampered.out).toContain(`BROKEN chain ${victim.chain} at seq ${victim.seq}: hash-mismatch`);
  });

  it('reports a chain whose last records were deleted, with their seals', async () => {
    const records = await writeChain(5);
    const chain = records[0]!.chain;
    await attacker.remove(records[4]!);
    await attacker.remove(records[3]!);
    await attacker.removeSeals(chain);
    const result = await auditVerify();
    expect(result.code).toBe(1);
    expect(result.out).toContain(`BROKEN chain ${chain} at seq 000000000002: truncated`);
  });

  it('reports a record rewritten with every later record re-hashed', async () => {
    const records = await writeChain(4);
    const chain = records[0]!.chain;
    // Hide a deletion as a read, then re-hash the rest of the chain so every link holds again.
    let prevHash = records[0]!.hash;
    for (const [index, record] of records.entries()) {
      if (index === 0) continue;
      const forged = link(chain, index, prevHash, index === 1 ? { ...record.event, action: 'D' } : record.event);
      await attacker.put(forged);
      prevHash = forged.hash;
    }
    await attacker.removeSeals(chain);
    const result = await auditVerify();
    expect(result.code).toBe(1);
    expect(result.out).toContain(`BROKEN chain ${chain} at seq 000000000003: rewritten`);
  });

  it('reports a chain deleted whole, with its opening and seals', async () => {
    const records = await writeChain(2);
    const chain = records[0]!.chain;
    for (const record of records) await attacker.remove(record);
    await attacker.removeSeals(chain);
    const result = await auditVerify();
    expect(result.code).toBe(1);
    expect(result.out).toContain(`BROKEN chain ${chain} at seq 000000000001: missing-chain`);
  });
});
