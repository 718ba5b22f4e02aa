import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDynamo } from '../../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../../test/support/dynamo.js';
import { auditEvent } from './audit-event.js';
import { AuditTrail, searchAudit } from './audit-trail.js';
import { verifyAuditTrail } from './audit-verify.js';
import type { AuditRecord } from './hash-chain.js';
import { stackCachedClient } from '../repository/dynamo-client.js';

let dynamo: TestDynamo;
beforeAll(async () => { dynamo = await startTestDynamo(); });
afterAll(() => dynamo.close());

const event = (resourceId: string, clientId = 'clinical') => auditEvent({
  interaction: 'read', resourceType: 'Patient', resourceId, status: 200, clientId,
  requestId: crypto.randomUUID(), recorded: new Date().toISOString(), observer: 'test',
});

describe('AuditTrail on DynamoDB', () => {
  it('keeps one chain for one request at a time', async () => {
    const trail = new AuditTrail(dynamo.documents, dynamo.auditTables, dynamo.sealing);
    const written = [];
    for (let i = 0; i < 5; i += 1) written.push(await trail.append(event(`s${i}`)));
    expect(new Set(written.map((r) => r.chain)).size).toBe(1);
    expect(written.map((r) => r.seq)).toEqual(['000000000000', '000000000001', '000000000002', '000000000003', '000000000004']);
  });

  it('spreads concurrent writes over a bounded number of chains, each unbroken', async () => {
    const trail = new AuditTrail(dynamo.documents, dynamo.auditTables, dynamo.sealing);
    const written = await Promise.all(Array.from({ length: 40 }, (_, i) => trail.append(event(`p${i}`))));
    const chains = new Set(written.map((r) => r.chain));
    expect(chains.size).toBeGreaterThan(1);
    expect(chains.size).toBeLessThanOrEqual(16);
    const result = await verifyAuditTrail(dynamo.documents, dynamo.auditTables, dynamo.sealing);
    expect(result.faults).toEqual([]);
    expect(result.records).toBeGreaterThanOrEqual(40);
  });

  it('appends concurrent records through the container\'s stack-cached client, each exactly as given', async () => {
    // One resolved middleware stack serves every append: no call may carry another's item.
    const trail = new AuditTrail(dynamo.documents, dynamo.auditTables, dynamo.sealing, { records: stackCachedClient() });
    const written = await Promise.all(Array.from({ length: 30 }, (_, i) => trail.append(event(`c${i}`))));
    expect(new Set(written.map((r) => r.entity))).toEqual(new Set(Array.from({ length: 30 }, (_, i) => `Patient/c${i}`)));
    for (const record of written) {
      const stored = await dynamo.documents.send(new GetCommand({ TableName: 'Audit', Key: { chain: record.chain, seq: record.seq } }));
      expect(stored.Item).toEqual(record);
    }
    expect((await verifyAuditTrail(dynamo.documents, dynamo.auditTables, dynamo.sealing)).faults).toEqual([]);
  });

  it('starts a new chain after a failed write instead of forking', async () => {
    const trail = new AuditTrail(dynamo.documents, dynamo.auditTables, dynamo.sealing);
    const first = await trail.append(event('x1'));
    // Another writer takes the next slot of this chain: our conditional put must not overwrite it.
    const squatter = { ...first, seq: '000000000001', hash: 'squatter' };
    await dynamo.documents.send(new PutCommand({ TableName: 'Audit', Item: squatter }));
    await expect(trail.append(event('x2'))).rejects.toThrow();
    const next = await trail.append(event('x3'));
    expect(next.chain).not.toBe(first.chain);
    expect(next.seq).toBe('000000000000');
    await dynamo.documents.send(new DeleteCommand({ TableName: 'Audit', Key: { chain: squatter.chain, seq: squatter.seq } }));
  });

  it('finds records by day, client and resource, newest first', async () => {
    const trail = new AuditTrail(dynamo.documents, dynamo.auditTables, dynamo.sealing);
    await trail.append(event('search-me', 'reader'));
    await trail.append(event('other', 'reader'));
    const day = new Date().toISOString().slice(0, 10);
    const { records } = await searchAudit(dynamo.documents, 'Audit', { day, agents: ['nobody', 'reader'], entity: 'Patient/search-me', limit: 100 });
    expect(records.map((r) => r.entity)).toEqual(['Patient/search-me']);
    const byId = await searchAudit(dynamo.documents, 'Audit', { day, entity: '/search-me', limit: 100 });
    expect(byId.records.map((r) => r.entity)).toEqual(['Patient/search-me']);
  });

  it('reports a modified, a deleted and a reordered record', async () => {
    const trail = new AuditTrail(dynamo.documents, dynamo.auditTables, dynamo.sealing);
    const records: AuditRecord[] = [];
    for (let i = 0; i < 4; i += 1) records.push(await trail.append(event(`t${i}`)));
    const [r0, r1, r2] = records as [AuditRecord, AuditRecord, AuditRecord];
    const faultOf = async () => (await verifyAuditTrail(dynamo.documents, dynamo.auditTables, dynamo.sealing)).faults.find((f) => f.chain === r0.chain);

    await dynamo.documents.send(new PutCommand({ TableName: 'Audit', Item: { ...r1, event: { ...r1.event, action: 'D' } } }));
    expect(await faultOf()).toMatchObject({ kind: 'hash-mismatch', seq: r1.seq });

    await dynamo.documents.send(new PutCommand({ TableName: 'Audit', Item: { ...r2, seq: r1.seq } }));
    await dynamo.documents.send(new PutCommand({ TableName: 'Audit', Item: { ...r1, seq: r2.seq } }));
    expect(await faultOf()).toMatchObject({ kind: 'broken-link', seq: r1.seq });

    await dynamo.documents.send(new PutCommand({ TableName: 'Audit', Item: r1 }));
    await dynamo.documents.send(new PutCommand({ TableName: 'Audit', Item: r2 }));
    expect(await faultOf()).toBeUndefined();
    await dynamo.documents.send(new DeleteCommand({ TableName: 'Audit', Key: { chain: r1.chain, seq: r1.seq } }));
    expect(await faultOf()).toMatchObject({ kind: 'gap', expected: r1.seq });
  });
});
