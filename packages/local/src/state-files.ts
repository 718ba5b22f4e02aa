import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The local stack keeps its generated secrets (keys, client secrets, API keys) in its state
 * directory. They are written owner-only, as the deployed equivalents live in Secrets Manager.
 */

/** Writes a file readable by its owner only (0600) in a directory only the owner can list (0700). */
export async function writeSecretFile(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, text, { mode: 0o600 });
  await chmod(file, 0o600); // `mode` only applies when the file is created
}

/** Reads a text file, or undefined when it does not exist. */
export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Loads a JSON secret file, creating it with `create()` on first use. */
export async function loadOrCreateSecretJson<T>(file: string, create: () => T | Promise<T>): Promise<T> {
  const existing = await readIfExists(file);
  if (existing !== undefined) return JSON.parse(existing) as T;
  const value = await create();
  await writeSecretFile(file, `${JSON.stringify(value, null, 2)}\n`);
  return value;
}
