import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AWS_CLIENT_LIMITS } from '../aws-client-limits.js';
import { config } from '../config.js';
import { traced } from '../tracing.js';
import { strictBase64 } from './strict-base64.js';

const MIN_INDEX_KEY_BYTES = 32;

/**
 * Powertools Parameters reads the blind-index secret: one provider and so one Secrets Manager
 * client per container, the value cached for `maxAge`. The index key cannot change in a
 * deployment's life (a new one would orphan every blind index), so the deriver in data-keys.ts
 * keeps what it derived from it.
 */
const INDEX_SECRET_MAX_AGE_SECONDS = 3600;
let secretsProvider: SecretsProvider | undefined;

export async function secretMaterial(secretArn: string): Promise<Buffer> {
  secretsProvider ??= new SecretsProvider({ awsSdkV3Client: traced(new SecretsManagerClient({ region: config().data.region, ...AWS_CLIENT_LIMITS })) });
  const text = await secretsProvider.get(secretArn, { maxAge: INDEX_SECRET_MAX_AGE_SECONDS });
  const material = strictBase64(typeof text === 'string' ? text : '');
  if (!material || material.length < MIN_INDEX_KEY_BYTES) {
    secretsProvider.clearCache(); // a corrected secret is read on the next attempt
    throw new Error(`The blind-index secret must hold at least ${MIN_INDEX_KEY_BYTES} bytes, base64`);
  }
  return material;
}
