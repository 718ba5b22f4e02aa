import type { KeyringNode } from '@aws-crypto/material-management-node';
import { KMS, KmsKeyringNode, cacheClients, getClient } from '@aws-crypto/kms-keyring-node';
import { AWS_CLIENT_LIMITS } from '../aws-client-limits.js';
import { traced } from '../tracing.js';

/** The KMS key `fieldKeyArn` wraps each record's data key; one KMS client per region, with bounded waits. */
export function kmsKeyring(fieldKeyArn: string): KeyringNode {
  return new KmsKeyringNode({ generatorKeyId: fieldKeyArn, clientProvider: cacheClients((region) => traced(getClient(KMS, AWS_CLIENT_LIMITS)(region))) });
}
