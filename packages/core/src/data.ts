/**
 * The data layer: storage, encryption and cursors. A separate entry point from the package
 * root so that code which only needs definitions (infra, the local gateway) does not load the
 * AWS SDK clients and the Encryption SDK.
 */
export * from './repository/resource-repository.js';
export { sealJson, openJson } from './crypto/envelope.js';
export type { EncryptionContext } from './crypto/envelope.js';
export { sealCursor, openCursor } from './crypto/cursor.js';
export { documentClient, dynamoClient } from './repository/dynamo-client.js';
export { AuditTrail, auditTables, auditTrail, closeAuditTrail, DEFAULT_SEAL_POLICY, searchAudit } from './audit/audit-trail.js';
export type { AuditQuery, AuditTables, AuditTrailOptions, SealPolicy } from './audit/audit-trail.js';
export { verifyAuditTrail } from './audit/audit-verify.js';
export type { ChainFault, VerifyResult } from './audit/audit-verify.js';
export { sealingFor } from './audit/sealing.js';
export type { Sealing } from './audit/chain-seal.js';
