import { AlgorithmSuiteIdentifier, CommitmentPolicy, buildClient } from '@aws-crypto/client-node';
import type { NodeCachingMaterialsManager } from '@aws-crypto/client-node';
import { cachingMaterials } from './data-key-cache.js';
import { dataKeys } from './data-keys.js';

/**
 * Envelope encryption of one record's sensitive content with the AWS Encryption SDK: a data key
 * per record (reused for that record only, within the cache's bounds), wrapped by KMS (or the local AES key), and an encryption context that
 * binds the ciphertext to the record, so a ciphertext copied onto another record fails to open.
 */
const { encrypt, decrypt } = buildClient({
  commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  maxEncryptedDataKeys: 1,
});

/**
 * Key-committing and unsigned: the same service encrypts and decrypts, so a signature would add
 * cost without a reader who must be kept from writing.
 */
const SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

export type EncryptionContext = Record<string, string>;

let materials: NodeCachingMaterialsManager | undefined;
/** The container's data keys behind a bounded cache (data-key-cache.ts), built on first use. */
const cachedKeys = () => (materials ??= cachingMaterials(dataKeys().keyring));

export async function sealJson(value: unknown, context: EncryptionContext): Promise<Uint8Array> {
  const { result } = await encrypt(cachedKeys(), JSON.stringify(value), { encryptionContext: context, suiteId: SUITE });
  return result;
}

/** Opens a sealed value, refusing it unless it was sealed for exactly this context and suite. */
export async function openJson<T>(sealed: Uint8Array, context: EncryptionContext): Promise<T> {
  const { plaintext, messageHeader } = await decrypt(cachedKeys(), sealed);
  const stored = messageHeader.encryptionContext;
  const matches = messageHeader.suiteId === SUITE
    && Object.keys(stored).length === Object.keys(context).length
    && Object.entries(context).every(([key, value]) => stored[key] === value);
  if (!matches) throw new Error('Encryption context mismatch');
  return JSON.parse(plaintext.toString('utf8')) as T;
}
