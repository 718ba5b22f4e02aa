import type { KeyringNode } from '@aws-crypto/client-node';
import { KMS, KmsKeyringNode, RawAesKeyringNode, RawAesWrappingSuiteIdentifier, cacheClients, getClient } from '@aws-crypto/client-node';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { hkdfSync } from 'node:crypto';
import { AWS_CLIENT_LIMITS } from '../aws-client-limits.js';
import { traced } from '../tracing.js';
import type { DataKeyConfig } from '../config.js';
import { config } from '../config.js';
import { loadLocalKeyFile } from './local-key-file.js';
import { strictBase64 } from './strict-base64.js';

/**
 * The keys of the data layer: KMS and a Secrets Manager secret in AWS, the local key file
 * locally. The secret is fetched only when a derived key is first needed, so routes that only
 * read records (and hold no permission on the secret) never ask for it.
 */
export interface DataKeys {
  /** Wraps each record's data key (envelope encryption). */
  keyring: KeyringNode;
  /** A 32-byte key for one purpose, derived from the index key material, so no key serves two purposes. */
  derive: (purpose: 'blind-index:nhi' | 'blind-index:code' | 'cursor') => Promise<Buffer>;
}

const MIN_INDEX_KEY_BYTES = 32;

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

/**
 * Powertools Parameters reads the secret: one provider and so one Secrets Manager client per
 * container, the value cached for `maxAge`. The index key cannot change in a deployment's life (a
 * new one would orphan every blind index), so the deriver above keeps what it derived from it.
 */
const INDEX_SECRET_MAX_AGE_SECONDS = 3600;
let secretsProvider: SecretsProvider | undefined;

async function secretMaterial(secretArn: string): Promise<Buffer> {
  secretsProvider ??= new SecretsProvider({ awsSdkV3Client: traced(new SecretsManagerClient({ region: config().data.region, ...AWS_CLIENT_LIMITS })) });
  const text = await secretsProvider.get(secretArn, { maxAge: INDEX_SECRET_MAX_AGE_SECONDS });
  const material = strictBase64(typeof text === 'string' ? text : '');
  if (!material || material.length < MIN_INDEX_KEY_BYTES) {
    secretsProvider.clearCache(); // a corrected secret is read on the next attempt
    throw new Error(`The blind-index secret must hold at least ${MIN_INDEX_KEY_BYTES} bytes, base64`);
  }
  return material;
}

function build(keys: DataKeyConfig): DataKeys {
  if (keys.source === 'aws') {
    return {
      keyring: new KmsKeyringNode({ generatorKeyId: keys.fieldKeyArn, clientProvider: cacheClients((region) => traced(getClient(KMS, AWS_CLIENT_LIMITS)(region))) }),
      derive: deriver(() => secretMaterial(keys.blindIndexSecretArn)),
    };
  }
  const local = loadLocalKeyFile(keys.file);
  return {
    keyring: new RawAesKeyringNode({
      keyName: 'local-data-key',
      keyNamespace: 'health-api-local',
      unencryptedMasterKey: new Uint8Array(local.wrappingKey),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    }),
    derive: deriver(async () => local.indexKey),
  };
}

let cached: DataKeys | undefined;

/** The data keys of this container, set up once on first use. */
export function dataKeys(): DataKeys {
  cached ??= build(config().data.keys);
  return cached;
}
