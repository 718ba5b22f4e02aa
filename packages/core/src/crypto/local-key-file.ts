import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { strictBase64 } from './strict-base64.js';

/** The key material the local stack keeps in one file; AWS uses KMS and a secret instead. */
export interface LocalKeyMaterial {
  /** Raw AES-256 key that wraps each record's data key. */
  wrappingKey: Buffer;
  /** Key material from which the blind-index and cursor keys are derived. */
  indexKey: Buffer;
}

const KEY_BYTES = 32;

function parse<N extends string>(text: string, names: readonly N[], label: string): Record<N, Buffer> {
  const json = JSON.parse(text) as Record<string, unknown>;
  const key = (value: unknown) => {
    const bytes = typeof value === 'string' ? strictBase64(value) : undefined;
    if (bytes?.length !== KEY_BYTES) throw new Error(`The local ${label} file is not valid`);
    return bytes;
  };
  return Object.fromEntries(names.map((name) => [name, key(json[name])])) as Record<N, Buffer>;
}

/**
 * Reads a local key file of named 32-byte keys, creating it with fresh random keys on first
 * use. The file is created exclusively (two processes starting together agree on one key) with
 * mode 0600, and a file others can read is refused rather than used. Key bytes are never
 * logged or returned in an error message.
 */
export function loadKeyFile<N extends string>(file: string, names: readonly N[], label: string): Record<N, Buffer> {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    const material = Object.fromEntries(names.map((name) => [name, randomBytes(KEY_BYTES).toString('base64')]));
    writeFileSync(file, JSON.stringify(material), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600); // the umask may have narrowed the mode; make sure it is exactly 0600
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if ((statSync(file).mode & 0o077) !== 0) throw new Error(`The local ${label} file must not be readable by group or others (chmod 600)`);
  return parse(readFileSync(file, 'utf8'), names, label);
}

/** The local stack's data keys (`LOCAL_DATA_KEY_FILE`). */
export const loadLocalKeyFile = (file: string): LocalKeyMaterial => loadKeyFile(file, ['wrappingKey', 'indexKey'], 'data key');
