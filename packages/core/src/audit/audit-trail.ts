import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { config } from '../config.js';
import { tables } from '../tables.js';
import { documentClient } from '../repository/dynamo-client.js';
import type { AuditEvent } from './audit-event.js';
import type { AuditRecord, ChainFault } from './hash-chain.js';
import { GENESIS, link, verifyChain } from './hash-chain.js';

const AUDIT_DAY_INDEX = tables.audit.indexes[0].name;

interface Chain {
  id: string;
  next: number;
  prevHash: string;
  /** The last write queued on this chain: writes to one chain happen one after another. */
  tail: Promise<unknown>;
  pending: number;
}

const newChain = (): Chain => ({ id: randomUUID(), next: 0, prevHash: GENESIS, tail: Promise.resolve(), pending: 0 });

/** Chains one process writes at once; Lambda serves one request at a time and so uses one. */
const MAX_CHAINS = 16;

/**
 * The append-only audit table. A process writes its own chains, each one record at a time,
 * with a conditional put that never overwrites. Concurrent requests (the local gateway) take
 * an idle chain rather than wait for a busy one. When a write fails (or its outcome is
 * unknown) that chain ends there and continues under a new id, so a chain never forks.
 */
export class AuditTrail {
  private readonly chains: Chain[] = [];

  constructor(private readonly documents: DynamoDBDocumentClient, private readonly table: string) {}

  append(event: AuditEvent): Promise<AuditRecord> {
    const chain = this.pick();
    chain.pending += 1;
    const write = chain.tail.then(() => this.write(chain, event)).finally(() => { chain.pending -= 1; });
    chain.tail = write.catch(() => undefined);
    return write;
  }

  private pick(): Chain {
    const idle = this.chains.find((chain) => chain.pending === 0);
    if (idle) return idle;
    if (this.chains.length < MAX_CHAINS) {
      const chain = newChain();
      this.chains.push(chain);
      return chain;
    }
    return this.chains.reduce((a, b) => (b.pending < a.pending ? b : a));
  }

  private async write(chain: Chain, event: AuditEvent): Promise<AuditRecord> {
    const record = link(chain.id, chain.next, chain.prevHash, event);
    try {
      await this.documents.send(new PutCommand({
        TableName: this.table,
        Item: record,
        ConditionExpression: 'attribute_not_exists(chain)',
      }));
    } catch (error) {
      Object.assign(chain, { id: randomUUID(), next: 0, prevHash: GENESIS });
      throw error;
    }
    chain.next += 1;
    chain.prevHash = record.hash;
    return record;
  }
}

export interface AuditQuery {
  day: string;
  /** Any of these clients (an OR list). */
  agents?: string[];
  /** One resource, `Type/id`; or `/id` for that id in any type (matched as a substring, so callers check the end). */
  entity?: string;
  limit: number;
  /** Exclusive start key from the previous page. */
  after?: Record<string, unknown>;
}

/** Query pages read at most per search: a filter may skip many records of a busy day. */
const MAX_PAGES_PER_SEARCH = 10;

/** Records of one day, newest first, optionally narrowed to one client and one resource. */
export async function searchAudit(documents: DynamoDBDocumentClient, table: string, query: AuditQuery) {
  const filters: string[] = [];
  const names: Record<string, string> = { '#day': 'day' };
  const values: Record<string, unknown> = { ':day': query.day };
  if (query.agents?.length) {
    filters.push(`(${query.agents.map((_, i) => `#agent = :agent${i}`).join(' OR ')})`);
    names['#agent'] = 'agent';
    query.agents.forEach((agent, i) => { values[`:agent${i}`] = agent; });
  }
  if (query.entity) {
    filters.push(query.entity.startsWith('/') ? 'contains(#entity, :entity)' : '#entity = :entity');
    names['#entity'] = 'entity';
    values[':entity'] = query.entity;
  }
  const records: AuditRecord[] = [];
  let next = query.after;
  for (let page = 0; page < MAX_PAGES_PER_SEARCH && records.length < query.limit; page += 1) {
    const result = await documents.send(new QueryCommand({
      TableName: table,
      IndexName: AUDIT_DAY_INDEX,
      KeyConditionExpression: '#day = :day',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
      ScanIndexForward: false,
      Limit: query.limit - records.length,
      ...(next ? { ExclusiveStartKey: next } : {}),
    }));
    records.push(...((result.Items ?? []) as AuditRecord[]));
    next = result.LastEvaluatedKey;
    if (!next) break;
  }
  return { records, next };
}

/** Reads the whole table and checks every chain; answers the faults found, one per chain. */
export async function verifyAuditTable(documents: DynamoDBDocumentClient, table: string) {
  const chains = new Map<string, AuditRecord[]>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: table, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of (page.Items ?? []) as AuditRecord[]) chains.set(item.chain, [...(chains.get(item.chain) ?? []), item]);
    start = page.LastEvaluatedKey;
  } while (start);
  const faults: Array<ChainFault & { chain: string }> = [];
  let records = 0;
  for (const [chain, items] of chains) {
    items.sort((a, b) => a.seq.localeCompare(b.seq));
    records += items.length;
    const fault = verifyChain(items);
    if (fault) faults.push({ chain, ...fault });
  }
  return { chains: chains.size, records, faults };
}

let trail: AuditTrail | undefined;
/** The audit trail of this container, built on first use. */
export function auditTrail(): AuditTrail {
  trail ??= new AuditTrail(documentClient(), config().data.tableNames.audit);
  return trail;
}
