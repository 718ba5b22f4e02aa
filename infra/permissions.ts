/**
 * Least privilege per function, derived from the route's FHIR interaction: the DynamoDB, KMS,
 * Secrets Manager and S3 actions the handler's code path uses, on the ARNs it uses. No wildcards
 * except X-Ray, whose write actions take no resource (AWS requires "*").
 */
import type { Interaction, RouteDefinition } from '../packages/core/src/route';
import { auditAnchorObjects, auditAnchorsKey, auditMacKey } from './audit-anchors';
import { blindIndexSecret, fieldKey, tableDefinitions, tables, type TableKey } from './data';

export interface Statement {
  actions: string[];
  resources: $util.Input<$util.Input<string>[]>;
}

/**
 * Resource-table access by interaction, as packages/core/src/repository uses it: conditional
 * puts, a read before create (the subject must exist) and before update, a search for a
 * conditional create (If-None-Exist), a copy of the superseded version before an update or a
 * soft delete (an update), never DeleteItem. Query also needs the table's indexes.
 */
const TABLE_ACTIONS: Record<Interaction, string[]> = {
  read: ['dynamodb:GetItem'],
  vread: ['dynamodb:GetItem'],
  'search-type': ['dynamodb:Query'],
  create: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
  update: ['dynamodb:GetItem', 'dynamodb:PutItem'],
  delete: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  capabilities: [],
};

/** Envelope encryption: writes make data keys, reads only unwrap them. */
const FIELD_KEY_ACTIONS: Record<Interaction, string[]> = {
  read: ['kms:Decrypt'],
  vread: ['kms:Decrypt'],
  'search-type': ['kms:Decrypt'],
  create: ['kms:GenerateDataKey', 'kms:Decrypt'],
  update: ['kms:GenerateDataKey', 'kms:Decrypt'],
  delete: [],
  capabilities: [],
};

/** Powertools idempotency keeps one record per key: read, lock, complete or release it. */
const IDEMPOTENCY_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/** AuditEvent routes read the audit table itself; every other resource lives in the resources table. */
function dataTable(route: RouteDefinition): TableKey {
  return route.resourceType === 'AuditEvent' ? 'audit' : 'resources';
}

export function routePermissions(route: RouteDefinition, logGroupArn: $util.Output<string>): Statement[] {
  const statements: Statement[] = [
    { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [$interpolate`${logGroupArn}:*`] },
    { actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] },
    // Every request leaves an audit record; the chain is append-only, so PutItem alone.
    { actions: ['dynamodb:PutItem'], resources: [tables.audit.arn] },
  ];
  if (route.resourceType) {
    // The audit trail opens and seals its chains (packages/core/src/audit/sealing.ts): append-only
    // seals, a MAC key good for making MACs only, and write-once anchors under SSE-KMS.
    statements.push(
      { actions: ['dynamodb:PutItem'], resources: [tables.auditSeals.arn] },
      { actions: ['kms:GenerateMac'], resources: [auditMacKey.arn] },
      { actions: ['s3:PutObject'], resources: [auditAnchorObjects] },
      { actions: ['kms:GenerateDataKey'], resources: [auditAnchorsKey.arn] },
    );
  }
  if (route.scope) {
    // DPoP proofs are recorded once each (a conditional put): nothing reads or deletes them.
    statements.push({ actions: ['dynamodb:PutItem'], resources: [tables.dpopProofs.arn] });
  }
  const tableActions = TABLE_ACTIONS[route.interaction];
  if (route.resourceType && tableActions.length > 0) {
    const key = dataTable(route);
    const { arn } = tables[key];
    const indexes = tableActions.includes('dynamodb:Query') ? tableDefinitions[key].indexes : [];
    statements.push({
      actions: tableActions,
      resources: [arn, ...indexes.map((index) => $interpolate`${arn}/index/${index.name}`)],
    });
  }
  const keyActions = FIELD_KEY_ACTIONS[route.interaction];
  if (route.resourceType && route.resourceType !== 'AuditEvent' && keyActions.length > 0) {
    statements.push({ actions: keyActions, resources: [fieldKey.arn] });
    // The data keys load as one (packages/core/src/crypto/data-keys.ts): the KMS keyring and the
    // blind-index/cursor key material from this secret, which the field key encrypts.
    statements.push({ actions: ['secretsmanager:GetSecretValue'], resources: [blindIndexSecret.arn] });
  }
  if (route.interaction === 'create') {
    statements.push({ actions: IDEMPOTENCY_ACTIONS, resources: [tables.idempotency.arn] });
  }
  return statements;
}
