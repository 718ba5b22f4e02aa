import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestDynamo } from '../../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../../test/support/dynamo.js';
import { auditEvent } from './audit-event.js';
import { AuditTrail } from './audit-trail.js';

const run = promisify(execFile);
let dynamo: TestDynamo;
beforeAll(async () => { dynamo = await startTestDynamo(); });
afterAll(() => dynamo.close());

async function auditVerify(): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run('npx', ['tsx', 'packages/core/src/audit/verify-cli.ts'], { env: { ...process.env, AUDIT_TABLE: 'Audit' } });
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, out: failed.stdout };
  }
}

it('npm run audit:verify passes an intact trail and names the first broken link of a tampered one', async () => {
  const trail = new AuditTrail(dynamo.documents, 'Audit');
  const records = [];
  for (let i = 0; i < 3; i += 1) {
    records.push(await trail.append(auditEvent({
      interaction: 'read', resourceType: 'Patient', resourceId: `p${i}`, status: 200, clientId: 'clinical',
      interactionId: crypto.randomUUID(), recorded: new Date().toISOString(), observer: 'test',
    })));
  }
  const intact = await auditVerify();
  expect(intact).toMatchObject({ code: 0 });
  expect(intact.out).toContain('3 records in 1 chains');

  const victim = records[1];
  if (!victim) throw new Error('no record');
  await dynamo.documents.send(new PutCommand({ TableName: 'Audit', Item: { ...victim, event: { ...victim.event, outcome: '8' } } }));
  const tampered = await auditVerify();
  expect(tampered.code).toBe(1);
  expect(tampered.out).toContain(`BROKEN chain ${victim.chain} at seq ${victim.seq}: hash-mismatch`);
});
