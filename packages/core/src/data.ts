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
export { AuditTrail, auditTrail, searchAudit, verifyAuditTable } from './audit/audit-trail.js';
export type { AuditQuery } from './audit/audit-trail.js';
