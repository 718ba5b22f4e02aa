import type { NodeCachingMaterialsManager } from '@aws-crypto/caching-materials-manager-node';
import { buildDecrypt } from '@aws-crypto/decrypt-node';
import { buildEncrypt } from '@aws-crypto/encrypt-node';
import { AlgorithmSuiteIdentifier, CommitmentPolicy } from '@aws-crypto/material-management-node';
import { cachingMaterials } from './data-key-cache.js';
import { dataKeys } from './data-keys.js';

/**
 * Envelope encryption of one record's sensitive content with the AWS Encryption SDK: a data key
 * per record (reused for that record only, within the cache's bounds), wrapped by KMS (or the local AES key), and an encryption context that
 * binds the ciphertext to the record, so a ciphertext copied onto another record fails to open.
 */
const clientOptions = { commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, maxEncryptedDataKeys: 1 } as const;
// The two halves of the SDK's buildClient, from its own packages: the client-node barrel would
// also bring the RSA keyring and the hierarchical keyring's key store, which we never use.
const { encrypt } = buildEncrypt(clientOptions);
const { decrypt } = buildDecrypt(clientOptions);

/**
 * Key-committing and unsigned: the same service encrypts and decrypts, so a signature would add
 * cost without a reader who must be kept from writing.
 */
const SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

export type EncryptionContext = Record<string, string>;

let materials: Promise<NodeCachingMaterialsManager> | undefined;
/** The container's data keys behind a bounded cache (data-key-cache.ts), built on first use (again after a failure). */
function cachedKeys(): Promise<NodeCachingMaterialsManager> {
  if (!materials) {
    materials = dataKeys().keyring().then((keyring) => cachingMaterials(keyring));
    materials.catch(() => { materials = undefined; });
  }
  return materials;
}

export async function sealJson(value: unknown, context: EncryptionContext): Promise<Uint8Array> {
  const { result } = await encrypt(await cachedKeys(), JSON.stringify(value), { encryptionContext: context, suiteId: SUITE });
  return result;
}

/** Opens a sealed value, refusing it unless it was sealed for exactly this context and suite. */
export async function openJson<T>(sealed: Uint8Array, context: EncryptionContext): Promise<T> {
  const { plaintext, messageHeader } = await decrypt(await cachedKeys(), sealed);
  const stored = messageHeader.encryptionContext;
  const matches = messageHeader.suiteId === SUITE
    && Object.keys(stored).length === Object.keys(context).length
    && Object.entries(context).every(([key, value]) => stored[key] === value);
  if (!matches) throw new Error('Encryption context mismatch');
  return JSON.parse(plaintext.toString('utf8')) as T;
}
