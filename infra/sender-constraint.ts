/**
 * Sender-constrained tokens for the stage (AUTH_SENDER_CONSTRAINT), checked against what the
 * stage can prove: Cognito issues neither DPoP- nor certificate-bound tokens, and certificate
 * binding needs mutual TLS.
 *
 * Mutual TLS on the custom domain (RFC 8705 certificate-bound tokens need it): the truststore,
 * a PEM bundle of the client CAs the operator names in HEALTH_API_MTLS_TRUSTSTORE, kept in its
 * own bucket (versioned, so the domain names an exact version; encrypted with its own
 * customer-managed key; private; TLS-only). API Gateway then refuses any handshake without a
 * certificate of those CAs and passes the certificate to the functions, which compare it with
 * the token's `cnf["x5t#S256"]`. The execute-api endpoint is off whenever a custom domain is set
 * (infra/api.ts), so the handshake cannot be skipped.
 */
import { readFileSync } from 'node:fs';
import { issuer } from './auth';
import { customerManagedKey } from './keys';
import { deployOptions, stackName } from './stage';

const SENDER_CONSTRAINTS = ['none', 'dpop', 'mtls'];

function checkedOptions() {
  const { senderConstraint, mtlsTruststoreFile, domainName, certificateArn } = deployOptions;
  if (!SENDER_CONSTRAINTS.includes(senderConstraint)) throw new Error(`AUTH_SENDER_CONSTRAINT must be one of ${SENDER_CONSTRAINTS.join(', ')}`);
  if (mtlsTruststoreFile && !(domainName && certificateArn)) throw new Error('HEALTH_API_MTLS_TRUSTSTORE needs the custom domain (HEALTH_API_DOMAIN, HEALTH_API_CERT_ARN)');
  // Certificate-bound tokens can only be proven where the gateway asks for the certificate.
  if (senderConstraint === 'mtls' && !mtlsTruststoreFile) throw new Error('AUTH_SENDER_CONSTRAINT=mtls needs a mutual-TLS custom domain (HEALTH_API_MTLS_TRUSTSTORE)');
  // No token of the stage could ever pass: say so at deploy, not with a 401 on every call.
  if (senderConstraint !== 'none' && issuer.kind === 'cognito') throw new Error(`Cognito issues no ${senderConstraint === 'dpop' ? 'DPoP' : 'certificate'}-bound tokens: use an external issuer (AUTH_ISSUER) for AUTH_SENDER_CONSTRAINT=${senderConstraint}`);
  return mtlsTruststoreFile;
}

function truststore(file: string) {
  // API Gateway reads the truststore with the deployer's permissions (the account's, through IAM).
  const key = customerManagedKey('TruststoreKey', 'Encrypts the mutual-TLS truststore bucket');
  const bucket = new aws.s3.Bucket('Truststore', { bucket: stackName('truststore'), forceDestroy: false });
  const versioning = new aws.s3.BucketVersioning('TruststoreVersioning', { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } });
  new aws.s3.BucketServerSideEncryptionConfiguration('TruststoreEncryption', {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
  });
  new aws.s3.BucketPublicAccessBlock('TruststorePublicAccessBlock', {
    bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
  });
  new aws.s3.BucketPolicy('TruststorePolicy', {
    bucket: bucket.id,
    policy: $jsonStringify({
      Version: '2012-10-17',
      Statement: [{
        Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 's3:*',
        Resource: [bucket.arn, $interpolate`${bucket.arn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }],
    }),
  });
  const object = new aws.s3.BucketObjectv2('TruststoreObject', {
    bucket: bucket.id, key: 'truststore.pem', content: readFileSync(file, 'utf8'), contentType: 'application/x-pem-file',
  }, { dependsOn: [versioning] });
  return { truststoreUri: $interpolate`s3://${bucket.id}/${object.key}`, truststoreVersion: object.versionId };
}

const file = checkedOptions();

export const senderConstraint = deployOptions.senderConstraint;

/** The domain's `mutualTlsAuthentication`, or undefined when the stage has no mutual TLS. */
export const mutualTls = file ? truststore(file) : undefined;
