import { NodeCachingMaterialsManager, getLocalCryptographicMaterialsCache } from '@aws-crypto/caching-materials-manager-node';
import type { KeyringNode } from '@aws-crypto/material-management-node';

/**
 * Bounds on reusing a data key (the AWS Encryption SDK's caching materials manager), so a
 * record written or read again soon costs no KMS call: a cached key is used for at most
 * `maxMessagesEncrypted` messages and `maxBytesEncrypted` bytes, for at most `maxAgeMs`, and the
 * cache holds at most `capacity` entries. Keys stay in this process's memory only, never logged.
 * The encryption context (the record's type and id) is part of every cache key, so no key is
 * shared between records: the cache saves the calls of repeated reads and writes of one record.
 */
export interface DataKeyCacheBounds {
  capacity: number;
  maxAgeMs: number;
  maxMessagesEncrypted: number;
  maxBytesEncrypted: number;
}

export const DATA_KEY_CACHE_BOUNDS: DataKeyCacheBounds = {
  capacity: 1000,
  maxAgeMs: 5 * 60_000,
  maxMessagesEncrypted: 100,
  maxBytesEncrypted: 16 * 1024 * 1024,
};

/** The materials manager that encrypts and decrypts through `keyring`, caching data keys within `bounds`. */
export function cachingMaterials(keyring: KeyringNode, bounds: DataKeyCacheBounds = DATA_KEY_CACHE_BOUNDS): NodeCachingMaterialsManager {
  return new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: getLocalCryptographicMaterialsCache(bounds.capacity),
    maxAge: bounds.maxAgeMs,
    maxMessagesEncrypted: bounds.maxMessagesEncrypted,
    maxBytesEncrypted: bounds.maxBytesEncrypted,
  });
}
