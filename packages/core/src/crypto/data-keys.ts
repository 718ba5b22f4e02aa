import type { KeyringNode } from '@aws-crypto/material-management-node';
import { hkdfSync } from 'node:crypto';
import type { DataKeyConfig } from '../config.js';
import { config } from '../config.js';
import { loadLocalKeyFile } from './local-key-file.js';

/**
 * The keys of the data layer: KMS and a Secrets Manager secret in AWS, the local key file
 * locally. The secret is fetched only when a derived key is first needed, so routes that only
 * read records (and hold no permission on the secret) never ask for it. The Encryption SDK's
 * keyring and the AWS clients each load with their first use, and only the ones the
 * configuration names: a function never loads the KMS client locally, nor Secrets Manager's
 * before it needs a derived key.
 */
export interface DataKeys {
  /** Builds the keyring that wraps each record's data key (envelope encryption); the envelope keeps the one it gets. */
  keyring: () => Promise<KeyringNode>;
  /** A 32-byte key for one purpose, derived from the index key material, so no key serves two purposes. */
  derive: (purpose: 'blind-index:nhi' | 'blind-index:code' | 'cursor') => Promise<Buffer>;
}

function deriver(material: () => Promise<Buffer>): DataKeys['derive'] {
  let loading: Promise<Buffer> | undefined;
  const derived = new Map<string, Buffer>();
  return async (purpose) => {
    if (!loading) {
      loading = material();
      loading.catch(() => { loading = undefined; }); // a failed fetch is retried by the next request
    }
    const root = await loading;
    let key = derived.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), `health-api/${purpose}`, 32));
      derived.set(purpose, key);
    }
    return key;
  };
}

function build(keys: DataKeyConfig): DataKeys {
  if (keys.source === 'aws') {
    return {
      keyring: async () => (await import('./kms-keyring.js')).kmsKeyring(keys.fieldKeyArn),
      derive: deriver(async () => (await import('./index-secret.js')).secretMaterial(keys.blindIndexSecretArn)),
    };
  }
  const local = loadLocalKeyFile(keys.file);
  return {
    keyring: async () => (await import('./local-keyring.js')).localKeyring(local.wrappingKey),
    derive: deriver(async () => local.indexKey),
  };
}

let cached: DataKeys | undefined;

/** The data keys of this container, set up once on first use. */
export function dataKeys(): DataKeys {
  cached ??= build(config().data.keys);
  return cached;
}
