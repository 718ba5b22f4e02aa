/**
 * The audit trail's keyed heads (packages/core/src/audit/chain-seal.ts): the HMAC key that
 * seals chain heads, which the functions may only GenerateMac with, and the bucket the seals are
 * anchored in. The bucket keeps every object under Object Lock in compliance mode (no one, the
 * root user included, can delete or shorten it before its retention ends), versioned, encrypted
 * with its own customer-managed key, private, TLS-only, and write-once: a put that could replace
 * an object (no `If-None-Match: *`) is refused, so an anchor never gets a second version.
 */
import { AUDIT_ANCHOR_PREFIX } from '../packages/core/src/audit/anchor-key';
import { auditAnchorRetentionDays } from './controls';
import { customerManagedKey } from './keys';
import { isProduction, stackName } from './stage';

export const auditMacKey = customerManagedKey('AuditMacKey', 'Seals audit chain heads (HMAC)', [], 'mac');

export const auditAnchorsKey = customerManagedKey('AuditAnchorsKey', 'Encrypts the audit anchor bucket');

export const auditAnchors = new aws.s3.Bucket('AuditAnchors', {
  bucket: stackName('audit-anchors'),
  objectLockEnabled: true,
  forceDestroy: false,
});

new aws.s3.BucketVersioning('AuditAnchorsVersioning', {
  bucket: auditAnchors.id,
  versioningConfiguration: { status: 'Enabled' },
});

new aws.s3.BucketObjectLockConfiguration('AuditAnchorsObjectLock', {
  bucket: auditAnchors.id,
  rule: { defaultRetention: { mode: 'COMPLIANCE', days: auditAnchorRetentionDays(isProduction) } },
});

new aws.s3.BucketServerSideEncryptionConfiguration('AuditAnchorsEncryption', {
  bucket: auditAnchors.id,
  rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: auditAnchorsKey.arn }, bucketKeyEnabled: true }],
});

new aws.s3.BucketPublicAccessBlock('AuditAnchorsPublicAccessBlock', {
  bucket: auditAnchors.id,
  blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
});

new aws.s3.BucketPolicy('AuditAnchorsPolicy', {
  bucket: auditAnchors.id,
  policy: $jsonStringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 's3:*',
        Resource: [auditAnchors.arn, $interpolate`${auditAnchors.arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'WriteOnce', Effect: 'Deny', Principal: '*', Action: 's3:PutObject',
        Resource: $interpolate`${auditAnchors.arn}/*`,
        Condition: { Null: { 's3:if-none-match': 'true' } },
      },
    ],
  }),
});

/** Where the functions put anchors; nothing else in the bucket is theirs to write. */
export const auditAnchorObjects = $interpolate`${auditAnchors.arn}/${AUDIT_ANCHOR_PREFIX}*`;
