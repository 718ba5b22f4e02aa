import { createHash, randomBytes } from 'node:crypto';
import type { UsagePlanName } from './gateway-settings.js';
import { loadOrCreateSecretJson, writeSecretFile } from './state-files.js';

/** An API key as API Gateway models one: an id (safe to log), a secret value, a plan, a switch. */
export interface ApiKey {
  id: string;
  name: string;
  plan: UsagePlanName;
  value: string;
  enabled: boolean;
}

export interface ApiKeySpec {
  name: string;
  plan: UsagePlanName;
  /** Default true; a disabled key exists but is refused, as a revoked key in API Gateway. */
  enabled?: boolean;
}

/** One key per usage plan, named after it. */
export const DEFAULT_API_KEYS: readonly ApiKeySpec[] = [
  { name: 'standard', plan: 'standard' },
  { name: 'partner', plan: 'partner' },
];

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` uniformly random alphanumeric characters (API Gateway keys are 20–128 of them). */
function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      // 248 = 4 × 62: dropping larger bytes keeps every character equally likely.
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
    }
  }
  return out;
}

function newKey(spec: ApiKeySpec): ApiKey {
  return {
    id: randomAlphanumeric(10).toLowerCase(),
    name: spec.name,
    plan: spec.plan,
    value: randomAlphanumeric(40),
    enabled: spec.enabled ?? true,
  };
}

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

export interface ApiKeyStore {
  /** The key with this value, enabled or not; undefined when unknown. */
  find(value: string): ApiKey | undefined;
  /** Key values by name, for the contract file and the console. */
  values(): Record<string, string>;
}

/**
 * Loads the API keys from `file` (0600), generating the keys of `specs` that are missing; a
 * spec's `enabled` flag is applied to its key on every start. Lookups go through a digest of
 * the presented value, so the map is never probed with the raw secret.
 */
export async function loadOrCreateApiKeys(file: string, specs: readonly ApiKeySpec[] = DEFAULT_API_KEYS): Promise<ApiKeyStore> {
  const stored = await loadOrCreateSecretJson<{ keys: ApiKey[] }>(file, () => ({ keys: [] }));
  const byName = new Map(stored.keys.map((key) => [key.name, key]));
  const keys = specs.map((spec) => {
    const existing = byName.get(spec.name);
    return existing ? { ...existing, plan: spec.plan, enabled: spec.enabled ?? true } : newKey(spec);
  });
  const merged = [...stored.keys.filter((key) => !specs.some((s) => s.name === key.name)), ...keys];
  if (JSON.stringify(merged) !== JSON.stringify(stored.keys)) {
    await writeSecretFile(file, `${JSON.stringify({ keys: merged }, null, 2)}\n`);
  }
  const byDigest = new Map(keys.map((key) => [digest(key.value), key]));
  return {
    find: (value) => byDigest.get(digest(value)),
    values: () => Object.fromEntries(keys.map((key) => [key.name, key.value])),
  };
}
