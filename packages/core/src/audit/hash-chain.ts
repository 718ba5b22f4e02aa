import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import type { AuditEvent } from './audit-event.js';

/**
 * Tamper evidence for the audit trail: each record carries the hash of the previous record of
 * its chain, and its own hash over its canonical JSON (RFC 8785) including that link. Changing,
 * removing or reordering a record breaks a link that `verifyChain` reports. The hashes are
 * unkeyed: against someone who can write the table they only count with the keyed heads of
 * chain-seal.ts.
 */

export const GENESIS = 'GENESIS';

export interface AuditRecord {
  chain: string;
  /** Position in the chain, zero-padded so it sorts as a string. */
  seq: string;
  prevHash: string;
  hash: string;
  /** The event's date (UTC, YYYY-MM-DD) and a sortable time key, for searching by day. */
  day: string;
  recordedSeq: string;
  /** Search keys lifted from the event: the client id and the resource reference. */
  agent: string;
  entity: string;
  event: AuditEvent;
}

const SEQ_WIDTH = 12;
export const formatSeq = (n: number): string => String(n).padStart(SEQ_WIDTH, '0');

type Unsigned = Omit<AuditRecord, 'hash'>;

/** SHA-256 over every attribute but the hash itself, so search keys are covered too. */
function recordHash(record: Unsigned): string {
  const { chain, seq, prevHash, day, recordedSeq, agent, entity, event } = record;
  const covered: Unsigned = { chain, seq, prevHash, day, recordedSeq, agent, entity, event };
  return createHash('sha256').update(canonicalize(covered) ?? '').digest('hex');
}

export function link(chain: string, seq: number, prevHash: string, event: AuditEvent): AuditRecord {
  const padded = formatSeq(seq);
  const unsigned: Unsigned = {
    chain,
    seq: padded,
    prevHash,
    day: event.recorded.slice(0, 10),
    recordedSeq: `${event.recorded}#${chain}#${padded}`,
    agent: event.agent[0]?.who.identifier?.value ?? '',
    entity: event.entity[0]?.what.reference ?? '',
    event,
  };
  return { ...unsigned, hash: recordHash(unsigned) };
}

/** Faults of the records themselves, found walking a chain forward. */
export type LinkFault =
  | { kind: 'hash-mismatch'; seq: string }
  | { kind: 'broken-link'; seq: string }
  | { kind: 'gap'; seq: string; expected: string };

/**
 * Checks a chain one record at a time, in sort-key order, so a verifier can stream it: answers
 * the record's fault, if any. It only knows what came before; what is missing at the end or was
 * rewritten and re-hashed takes the chain's sealed heads (see chain-seal.ts).
 */
export function chainWalker(): (record: AuditRecord) => LinkFault | undefined {
  let index = 0;
  let prevHash = GENESIS;
  return (record) => {
    const expected = formatSeq(index);
    if (record.seq !== expected) return { kind: 'gap', seq: record.seq, expected };
    if (record.prevHash !== prevHash) return { kind: 'broken-link', seq: record.seq };
    const { hash, ...unsigned } = record;
    if (recordHash(unsigned) !== hash) return { kind: 'hash-mismatch', seq: record.seq };
    index += 1;
    prevHash = hash;
    return undefined;
  };
}

/** Checks one whole chain, given in sort-key order; answers the first fault or undefined. */
export function verifyChain(records: readonly AuditRecord[]): LinkFault | undefined {
  const walk = chainWalker();
  for (const record of records) {
    const fault = walk(record);
    if (fault) return fault;
  }
  return undefined;
}
