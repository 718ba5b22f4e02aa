import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditTables } from './audit-trail.js';
import type { ChainSeal, Sealing } from './chain-seal.js';
import { sealAt, sealMessage } from './chain-seal.js';
import type { AuditRecord, LinkFault } from './hash-chain.js';
import { chainWalker } from './hash-chain.js';
import { HEAD_MARK_PREFIX } from './sealing.js';

/**
 * What a chain's sealed heads reveal beyond its links: a record at a sealed position whose hash
 * differs (rewritten, then re-hashed onwards), records missing up to a sealed position
 * (truncated), no records at all under a sealed chain (missing), or a seal whose MAC does not
 * verify (forged, or altered).
 */
export type SealFault =
  | { kind: 'rewritten'; seq: string }
  | { kind: 'truncated'; seq: string; expected: string }
  | { kind: 'missing-chain'; seq: string }
  | { kind: 'forged-seal'; seq: string };

export type ChainFault = (LinkFault | SealFault) & { chain: string };

export interface VerifyResult {
  chains: number;
  records: number;
  /** At most one per chain: the first found. */
  faults: ChainFault[];
}

/** A seal as stored, in the seals table or the anchor store, at the position its key names. */
type StoredSeal = { lastSeq: string; content: unknown };

/** Every chain the seals table (openings, heads) or the anchor store names, with its seals. */
async function chainClaims(documents: DynamoDBDocumentClient, tables: AuditTables, sealing: Sealing): Promise<Map<string, StoredSeal[]>> {
  const chains = new Map<string, StoredSeal[]>();
  const claimsOf = (chain: string) => {
    let claims = chains.get(chain);
    if (!claims) chains.set(chain, claims = []);
    return claims;
  };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: tables.seals, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of page.Items ?? []) {
      const { chain, mark } = item as { chain: string; mark: string };
      const claims = claimsOf(chain);
      if (mark.startsWith(HEAD_MARK_PREFIX)) claims.push({ lastSeq: mark.slice(HEAD_MARK_PREFIX.length), content: item });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  for (const anchor of await sealing.anchors.list()) claimsOf(anchor.chain).push(anchor);
  return chains;
}

/** The seals whose MAC verifies, by position; the first one that does not, as a fault. */
async function verifiedSeals(chain: string, claims: readonly StoredSeal[], sealing: Sealing): Promise<{ sealed: Map<string, string>; forged?: SealFault }> {
  const sealed = new Map<string, string>();
  const checked = new Set<string>();
  let forged: SealFault | undefined;
  for (const { lastSeq, content } of claims) {
    const seal: ChainSeal | undefined = sealAt({ chain, lastSeq }, content);
    const key = seal ? `${seal.lastSeq} ${seal.lastHash} ${seal.mac}` : '';
    if (seal && checked.has(key)) continue; // the table's copy and the anchor: one MAC check
    if (seal && await sealing.key.verify(sealMessage(seal), seal.mac)) {
      checked.add(key);
      // Two valid seals disagreeing on one position: one of them can only match a rewrite.
      if (sealed.has(lastSeq) && sealed.get(lastSeq) !== seal.lastHash) forged ??= { kind: 'rewritten', seq: lastSeq };
      sealed.set(lastSeq, seal.lastHash);
    } else {
      forged ??= { kind: 'forged-seal', seq: lastSeq };
    }
  }
  return { sealed, ...(forged ? { forged } : {}) };
}

/**
 * Walks one chain with paged queries on its partition, holding only the previous link and the
 * sealed positions: checks each link, and each sealed position's hash; then that the chain
 * reaches its last sealed position.
 */
async function verifyOne(documents: DynamoDBDocumentClient, table: string, chain: string, sealed: Map<string, string>) {
  const walk = chainWalker();
  let records = 0;
  let last: string | undefined;
  let fault: LinkFault | SealFault | undefined;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new QueryCommand({
      TableName: table, ConsistentRead: true, KeyConditionExpression: 'chain = :chain', ExpressionAttributeValues: { ':chain': chain },
      ...(start ? { ExclusiveStartKey: start } : {}),
    }));
    for (const record of (page.Items ?? []) as AuditRecord[]) {
      records += 1;
      last = record.seq;
      if (fault) continue;
      fault = walk(record);
      const expected = sealed.get(record.seq);
      if (!fault && expected !== undefined && expected !== record.hash) fault = { kind: 'rewritten', seq: record.seq };
    }
    start = page.LastEvaluatedKey;
  } while (start);
  const furthest = [...sealed.keys()].sort().at(-1);
  if (!fault && furthest !== undefined && (last === undefined || last < furthest)) {
    fault = last === undefined ? { kind: 'missing-chain', seq: furthest } : { kind: 'truncated', seq: last, expected: furthest };
  }
  return { records, fault };
}

/**
 * `audit:verify`: every chain named by the seals table or the anchor store, one at a time, in
 * time linear in the number of records. A chain whose records exist but which no opening or
 * anchor names is not found without a scan; every writer opens its chains before writing them.
 */
export async function verifyAuditTrail(documents: DynamoDBDocumentClient, tables: AuditTables, sealing: Sealing): Promise<VerifyResult> {
  const chains = await chainClaims(documents, tables, sealing);
  const faults: ChainFault[] = [];
  let records = 0;
  for (const [chain, claims] of [...chains].sort(([a], [b]) => a.localeCompare(b))) {
    const { sealed, forged } = await verifiedSeals(chain, claims, sealing);
    const result = await verifyOne(documents, tables.audit, chain, sealed);
    records += result.records;
    const fault = result.fault ?? forged;
    if (fault) faults.push({ chain, ...fault });
  }
  return { chains: chains.size, records, faults };
}
