import { describe, expect, it } from 'vitest';
import { auditEvent } from './audit-event.js';
import type { AuditRecord } from './hash-chain.js';
import { GENESIS, link, verifyChain } from './hash-chain.js';

function chainOf(length: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  let prev = GENESIS;
  for (let i = 0; i < length; i += 1) {
    const event = auditEvent({
      interaction: 'read', resourceType: 'Patient', resourceId: `p${i}`, status: 200, clientId: 'clinical',
      requestId: crypto.randomUUID(), recorded: new Date(Date.UTC(2026, 10, 24, 0, 0, i)).toISOString(), observer: 'test',
    });
    const record = link('chain-a', i, prev, event);
    records.push(record);
    prev = record.hash;
  }
  return records;
}

describe('audit hash chain', () => {
  it('verifies an untouched chain', () => {
    expect(verifyChain(chainOf(5))).toBeUndefined();
  });

  it('detects a modified record', () => {
    const records = chainOf(5);
    const target = records[2] as AuditRecord;
    records[2] = { ...target, event: { ...target.event, outcome: '4' } };
    expect(verifyChain(records)).toEqual({ kind: 'hash-mismatch', seq: target.seq });
  });

  it('detects a modified search key', () => {
    const records = chainOf(3);
    records[1] = { ...(records[1] as AuditRecord), agent: 'someone-else' };
    expect(verifyChain(records)?.kind).toBe('hash-mismatch');
  });

  it('detects a deleted record', () => {
    const records = chainOf(5);
    records.splice(1, 1);
    expect(verifyChain(records)).toMatchObject({ kind: 'gap', expected: '000000000001' });
  });

  it('detects two records swapped (renumbered to hide it)', () => {
    const records = chainOf(5);
    const [a, b] = [records[1] as AuditRecord, records[2] as AuditRecord];
    records[1] = { ...b, seq: a.seq };
    records[2] = { ...a, seq: b.seq };
    expect(verifyChain(records)).toMatchObject({ kind: 'broken-link', seq: a.seq });
  });

  it('detects a re-hashed forgery by the next link', () => {
    const records = chainOf(4);
    const forged = link('chain-a', 1, (records[0] as AuditRecord).hash, { ...(records[1] as AuditRecord).event, outcome: '0', action: 'D' });
    records[1] = forged;
    expect(verifyChain(records)).toEqual({ kind: 'broken-link', seq: '000000000002' });
  });
});
