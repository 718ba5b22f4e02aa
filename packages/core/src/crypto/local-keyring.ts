import type { KeyringNode } from '@aws-crypto/material-management-node';
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/raw-aes-keyring-node';

/** The local stack's raw AES-256 key (from its key file) wraps each record's data key. */
export function localKeyring(wrappingKey: Buffer): KeyringNode {
  return new RawAesKeyringNode({
    keyName: 'local-data-key',
    keyNamespace: 'health-api-local',
    unencryptedMasterKey: new Uint8Array(wrappingKey),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
}
