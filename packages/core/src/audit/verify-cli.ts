/**
 * `npm run audit:verify`: walks every audit chain in the audit table and reports the first
 * broken link of each. Reads the same configuration as the functions (AUDIT_TABLE, AWS_REGION,
 * DYNAMODB_ENDPOINT for the local stack). Exits 1 when any chain is broken.
 */
import { config } from '../config.js';
import { documentClient } from '../repository/dynamo-client.js';
import { verifyAuditTable } from './audit-trail.js';

const table = config().data.tableNames.audit;
const { chains, records, faults } = await verifyAuditTable(documentClient(), table);
process.stdout.write(`${table}: ${records} records in ${chains} chains\n`);
for (const fault of faults) {
  process.stdout.write(`BROKEN chain ${fault.chain} at seq ${fault.seq}: ${fault.kind}\n`);
}
process.stdout.write(faults.length === 0 ? 'audit trail intact\n' : `${faults.length} broken chain(s)\n`);
process.exitCode = faults.length === 0 ? 0 : 1;
