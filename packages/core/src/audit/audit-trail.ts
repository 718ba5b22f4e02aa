import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { randomUUID } from 'node:crypto';
import { config } from '../config.js';
import { tables } from '../tables.js';
import { documentClient, MARSHALL_OPTIONS, stackCachedClient } from '../repository/dynamo-client.js';
import type { AuditEvent } from './audit-event.js';
import type { Sealing } from './chain-seal.js';
import type { AuditRecord } from './hash-chain.js';
import { formatSeq, GENESIS, link } from './hash-chain.js';
import { SealWriter, sealingFor } from './sealing.js';

const AUDIT_DAY_INDEX = tables.audit.indexes[0].name;

/** Physical names of the audit table and its seals table. */
export interface AuditTables {
  audit: string;
  seals: string;
}

/**
 * When a chain's head is sealed (see chain-seal.ts). A seal costs a MAC (a KMS call) and two
 * writes, so it runs beside the requests rather than in their path: records are acknowledged
 * before the seal that covers them is written. The price is a window: a chain's newest records
 * (at most `everyRecords`, or `afterMs` of a running process) are covered only by the unkeyed
 * hash chain until the next seal, and a lost seal widens the window until the next one. A
 * chain's first record is sealed at once, so every chain with a record is anchored, and a chain
 * is sealed when it ends: after a failed write and on `close()`. In Lambda, whose process is
 * frozen between requests, the timer fires when the process next runs.
 */
export interface SealPolicy {
  everyRecords: number;
  afterMs: number;
}

export const DEFAULT_SEAL_POLICY: SealPolicy = { everyRecords: 100, afterMs: 60_000 };

export interface AuditTrailOptions {
  policy?: SealPolicy;
  /** Told when a seal cannot be written (the records stay written; the next seal covers them). */
  onSealFailure?: (cause: unknown) => void;
  /**
   * The client records are appended through, on the same database as `documents` (which it is
   * by default): the container's trail appends through `stackCachedClient()`.
   */
  records?: RecordClient;
}

/** What appending needs of a client: the plain PutItem, which both DynamoDB clients send. */
export interface RecordClient {
  send: (command: PutItemCommand) => Promise<unknown>;
}

interface Chain {
  id: string;
  next: number;
  prevHash: string;
  /** The last write queued on this chain: writes to one chain happen one after another. */
  tail: Promise<unknown>;
  pending: number;
  /** `next` when the last seal was started: records from there on are not sealed yet. */
  sealedNext: number;
  timer?: NodeJS.Timeout | undefined;
}

const newChain = (): Chain => ({ id: randomUUID(), next: 0, prevHash: GENESIS, tail: Promise.resolve(), pending: 0, sealedNext: 0 });

/** Chains one process writes at once; Lambda serves one request at a time and so uses one. */
const MAX_CHAINS = 16;

/**
 * The append-only audit table. A process writes its own chains, each one record at a time,
 * with a conditional put that never overwrites; a chain's opening is written before its first
 * record and its head is sealed as `SealPolicy` says. Concurrent requests (the local gateway)
 * take an idle chain rather than wait for a busy one. When a write fails (or its outcome is
 * unknown) that chain is sealed and ends there, and continues under a new id, so a chain never forks.
 */
export class AuditTrail {
  private readonly chains: Chain[] = [];
  private readonly seals: SealWriter;
  private readonly policy: SealPolicy;
  private readonly onSealFailure: (cause: unknown) => void;
  private readonly sealsInFlight = new Set<Promise<void>>();
  private readonly records: RecordClient;

  constructor(documents: DynamoDBDocumentClient, private readonly tables: AuditTables, sealing: Sealing, options: AuditTrailOptions = {}) {
    this.seals = new SealWriter(documents, tables.seals, sealing);
    this.records = options.records ?? documents;
    this.policy = options.policy ?? DEFAULT_SEAL_POLICY;
    this.onSealFailure = options.onSealFailure ?? (() => undefined);
  }

  append(event: AuditEvent): Promise<AuditRecord> {
    const chain = this.pick();
    chain.pending += 1;
    const write = chain.tail.then(() => this.write(chain, event)).finally(() => { chain.pending -= 1; });
    chain.tail = write.catch(() => undefined);
    return write;
  }

  /** Seals every chain's head and waits for the seals under way (shutdown). */
  async close(): Promise<void> {
    await Promise.all(this.chains.map((chain) => chain.tail));
    for (const chain of this.chains) this.seal(chain);
    await Promise.all(this.sealsInFlight);
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
      if (chain.next === 0) await this.seals.open(chain.id);
      await this.records.send(new PutItemCommand({
        TableName: this.tables.audit,
        Item: marshall(record, MARSHALL_OPTIONS),
        ConditionExpression: 'attribute_not_exists(chain)',
      }));
    } catch (error) {
      this.seal(chain);
      Object.assign(chain, { id: randomUUID(), next: 0, prevHash: GENESIS, sealedNext: 0 });
      throw error;
    }
    chain.next += 1;
    chain.prevHash = record.hash;
    if (chain.next === 1 || chain.next - chain.sealedNext >= this.policy.everyRecords) this.seal(chain);
    else chain.timer ??= setTimeout(() => this.seal(chain), this.policy.afterMs).unref();
    return record;
  }

  /** Starts sealing the chain's acknowledged head, if it has unsealed records; never throws. */
  private seal(chain: Chain): void {
    clearTimeout(chain.timer);
    chain.timer = undefined;
    const { id, next, sealedNext } = chain;
    if (next === sealedNext) return;
    chain.sealedNext = next;
    const sealing = this.seals.seal({ chain: id, lastSeq: formatSeq(next - 1), lastHash: chain.prevHash }).then(() => undefined, (cause: unknown) => {
      this.onSealFailure(cause);
      // Unless the chain ended or a later seal started, try again after the interval.
      if (chain.id === id && chain.sealedNext === next) {
        chain.sealedNext = sealedNext;
        chain.timer ??= setTimeout(() => this.seal(chain), this.policy.afterMs).unref();
      }
    });
    this.sealsInFlight.add(sealing);
    void sealing.finally(() => this.sealsInFlight.delete(sealing));
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

/** The audit tables this configuration names. */
export const auditTables = (): AuditTables => ({ audit: config().data.tableNames.audit, seals: config().data.tableNames.auditSeals });

let trail: Promise<AuditTrail> | undefined;
/** The audit trail of this container, built on first use (the first caller's options hold). */
export function auditTrail(options: AuditTrailOptions = {}): Promise<AuditTrail> {
  if (!trail) {
    trail = sealingFor(config().data.auditSeal, config().data.region)
      .then((sealing) => new AuditTrail(documentClient(), auditTables(), sealing, { records: stackCachedClient(), ...options }));
    trail.catch(() => { trail = undefined; }); // a failed set-up (e.g. no key settings) is retried
  }
  return trail;
}

/** Seals the container's audit chains, if it has any (graceful shutdown). */
export async function closeAuditTrail(): Promise<void> {
  await (await trail?.catch(() => undefined))?.close();
}
