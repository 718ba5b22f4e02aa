import type * as EnvelopeSdk from './envelope-sdk.js';
import type { EncryptionContext } from './envelope-sdk.js';

export type { EncryptionContext } from './envelope-sdk.js';

/**
 * Sealing and opening of records' sensitive content (envelope-sdk.ts). The AWS Encryption SDK
 * and the key clients are loaded on the first seal or open, not when a function starts: a request
 * that opens no record (a refused one, a read of an id that does not exist) never loads them.
 */
let sdk: Promise<typeof EnvelopeSdk> | undefined;
const envelopeSdk = () => (sdk ??= import('./envelope-sdk.js'));

export async function sealJson(value: unknown, context: EncryptionContext): Promise<Uint8Array> {
  return (await envelopeSdk()).sealJson(value, context);
}

/** Opens a sealed value, refusing it unless it was sealed for exactly this context and suite. */
export async function openJson<T>(sealed: Uint8Array, context: EncryptionContext): Promise<T> {
  return (await envelopeSdk()).openJson<T>(sealed, context);
}
