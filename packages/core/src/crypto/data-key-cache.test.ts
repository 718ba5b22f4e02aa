import { buildDecrypt } from '@aws-crypto/decrypt-node';
import { buildEncrypt } from '@aws-crypto/encrypt-node';
import type { EncryptedDataKey, NodeDecryptionMaterial, NodeEncryptionMaterial } from '@aws-crypto/material-management-node';
import { AlgorithmSuiteIdentifier, CommitmentPolicy } from '@aws-crypto/material-management-node';
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/raw-aes-keyring-node';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DataKeyCacheBounds } from './data-key-cache.js';
import { DATA_KEY_CACHE_BOUNDS, cachingMaterials } from './data-key-cache.js';

const options = { commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, maxEncryptedDataKeys: 1 } as const;
const { encrypt } = buildEncrypt(options);
const { decrypt } = buildDecrypt(options);
const SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

/** The local AES keyring, counting what would be KMS calls: data keys generated, data keys unwrapped. */
class CountingKeyring extends RawAesKeyringNode {
  generated = 0;
  unwrapped = 0;
  constructor() {
    super({ keyName: 'k', keyNamespace: 'test', unencryptedMasterKey: new Uint8Array(randomBytes(32)), wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING });
  }
  override async onEncrypt(material: NodeEncryptionMaterial) {
    this.generated += 1;
    return super.onEncrypt(material);
  }
  override async onDecrypt(material: NodeDecryptionMaterial, keys: EncryptedDataKey[]) {
    this.unwrapped += 1;
    return super.onDecrypt(material, keys);
  }
}

const bounds = (change: Partial<DataKeyCacheBounds>): DataKeyCacheBounds => ({ ...DATA_KEY_CACHE_BOUNDS, ...change });
const record = { resourceType: 'Patient', id: 'p1' };

describe('data key cache', () => {
  it('makes one data key for N encryptions of one record within the bounds, and unwraps it once to open them all', async () => {
    const keyring = new CountingKeyring();
    const materials = cachingMaterials(keyring, bounds({ maxMessagesEncrypted: 10 }));
    const sealed = [];
    for (let i = 0; i < 10; i += 1) sealed.push((await encrypt(materials, `v${i}`, { encryptionContext: record, suiteId: SUITE })).result);
    expect(keyring.generated).toBe(1);
    for (const [i, message] of sealed.entries()) expect((await decrypt(materials, message)).plaintext.toString()).toBe(`v${i}`);
    expect(keyring.unwrapped).toBe(1);
  });

  it('makes a new data key past max messages, past max age, and for another record', async () => {
    const keyring = new CountingKeyring();
    const materials = cachingMaterials(keyring, bounds({ maxMessagesEncrypted: 3 }));
    for (let i = 0; i < 4; i += 1) await encrypt(materials, 'x', { encryptionContext: record, suiteId: SUITE });
    expect(keyring.generated).toBe(2);
    await encrypt(materials, 'x', { encryptionContext: { ...record, id: 'p2' }, suiteId: SUITE });
    expect(keyring.generated).toBe(3);

    const aging = new CountingKeyring();
    const shortLived = cachingMaterials(aging, bounds({ maxAgeMs: 30 }));
    await encrypt(shortLived, 'x', { encryptionContext: record, suiteId: SUITE });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await encrypt(shortLived, 'x', { encryptionContext: record, suiteId: SUITE });
    expect(aging.generated).toBe(2);
  });
});
