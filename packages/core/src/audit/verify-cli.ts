/**
 * `npm run audit:verify`: walks every audit chain and reports the first fault of each: a broken
 * link, or a rewrite, truncation, deletion or forged seal that the sealed heads reveal. Reads
 * the same configuration as the functions (AUDIT_TABLE, AUDIT_SEALS_TABLE, AWS_REGION,
 * DYNAMODB_ENDPOINT for the local stack; AUDIT_MAC_KEY_ARN and AUDIT_ANCHOR_BUCKET in AWS, where
 * the caller's role needs kms:VerifyMac; LOCAL_AUDIT_KEY_FILE and LOCAL_AUDIT_ANCHOR_DIR locally).
 * Exits 1 when any chain is broken.
 */
import { config } from '../config.js';
import { documentClient } from '../repository/dynamo-client.js';
import { auditTables } from './audit-trail.js';
import { verifyAuditTrail } from './audit-verify.js';
import { sealingFor } from './sealing.js';

const tables = auditTables();
const sealing = await sealingFor(config().data.auditSeal, config().data.region);
const { chains, records, faults } = await verifyAuditTrail(documentClient(), tables, sealing);
process.stdout.write(`${tables.audit}: ${records} records in ${chains} chains\n`);
for (const fault of faults) {
  process.stdout.write(`BROKEN chain ${fault.chain} at seq ${fault.seq}: ${fault.kind}\n`);
}
process.stdout.write(faults.length === 0 ? 'audit trail intact\n' : `${faults.length} broken chain(s)\n`);
process.exitCode = faults.length === 0 ? 0 : 1;
