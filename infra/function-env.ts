/**
 * The environment every route function gets: what packages/core/src/config.ts reads (issuer,
 * table names) plus where the field key, the blind-index secret, the audit MAC key and the audit
 * anchor bucket live. Only names and ARNs: secret values are fetched at run time from Secrets
 * Manager, never put in the environment.
 */
import { deployOptions } from './stage';
import { auditAnchors, auditMacKey } from './audit-anchors';
import { blindIndexSecret, fieldKey, tableDefinitions, tables, type TableKey } from './data';
import { issuer } from './auth';
import { senderConstraint } from './sender-constraint';

export function functionEnvironment(): Record<string, $util.Input<string>> {
  return {
    SERVICE_NAME: $app.name,
    STAGE: $app.stage,
    ...(deployOptions.metricsClientIds ? { METRICS_CLIENT_ID_DIMENSION: 'true' } : {}),
    ...(deployOptions.xraySubsegments ? {} : { POWERTOOLS_TRACE_ENABLED: 'false' }),
    AUTH_ISSUER: issuer.issuer,
    AUTH_ISSUER_KIND: issuer.kind,
    ...(issuer.legacyTokenTypes ? { AUTH_ALLOW_LEGACY_TYP: 'true' } : {}),
    ...(issuer.audience ? { AUTH_AUDIENCE: issuer.audience } : {}),
    ...(issuer.clientIds ? { AUTH_CLIENT_IDS: issuer.clientIds } : {}),
    ...(issuer.jwksUri ? { AUTH_JWKS_URI: issuer.jwksUri } : {}),
    AUTH_SENDER_CONSTRAINT: senderConstraint,
    ...Object.fromEntries((Object.keys(tableDefinitions) as TableKey[])
      .map((key) => [tableDefinitions[key].envVar, tables[key].name])),
    FIELD_KEY_ARN: fieldKey.arn,
    BLIND_INDEX_SECRET_ARN: blindIndexSecret.arn,
    AUDIT_MAC_KEY_ARN: auditMacKey.arn,
    AUDIT_ANCHOR_BUCKET: auditAnchors.bucket,
  };
}
