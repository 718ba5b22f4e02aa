/**
 * The DynamoDB tables: one definition read by the repository, the local stack (which creates
 * them in dynalite) and the infra (which declares them encrypted with a customer-managed key).
 */

export interface TableDefinition {
  /** Logical name, used for the SST resource and the local table name. */
  name: string;
  /** Environment variable through which functions learn the physical table name. */
  envVar: string;
  partitionKey: string;
  sortKey?: string;
  indexes: Array<{ name: string; partitionKey: string; sortKey?: string }>;
  /** Attribute holding an epoch-seconds expiry, for DynamoDB TTL. */
  ttlAttribute?: string;
}

export const tables = {
  resources: {
    name: 'Resources',
    envVar: 'RESOURCES_TABLE',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [{ name: 'search', partitionKey: 'searchPk', sortKey: 'searchSk' }],
  },
  idempotency: {
    name: 'Idempotency',
    envVar: 'IDEMPOTENCY_TABLE',
    partitionKey: 'id',
    indexes: [],
    ttlAttribute: 'expiration',
  },
  audit: {
    name: 'Audit',
    envVar: 'AUDIT_TABLE',
    partitionKey: 'chain',
    sortKey: 'seq',
    // AuditEvent search by day (see audit/audit-trail.ts).
    indexes: [{ name: 'byDay', partitionKey: 'day', sortKey: 'recordedSeq' }],
  },
  auditSeals: {
    name: 'AuditSeals',
    envVar: 'AUDIT_SEALS_TABLE',
    // Each audit chain's opening (`open`) and its keyed heads (`head#<seq>`), see audit/chain-seal.ts.
    partitionKey: 'chain',
    sortKey: 'mark',
    indexes: [],
  },
  dpopProofs: {
    name: 'DpopProofs',
    envVar: 'DPOP_PROOFS_TABLE',
    // One item per DPoP proof seen (a hash of its key thumbprint and `jti`), kept until the proof
    // is too old to be accepted anyway; a conditional put refuses a second use.
    partitionKey: 'proof',
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableDefinition>;

export const tableList: readonly TableDefinition[] = Object.values(tables);
