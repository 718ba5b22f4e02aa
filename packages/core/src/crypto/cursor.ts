import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ApiError } from '../errors.js';
import { dataKeys } from './data-keys.js';

/**
 * Opaque paging cursors: AES-256-GCM over the position, with the query and the caller as
 * additional data. A cursor cannot be read (it would reveal keys of other records), forged,
 * or replayed by another caller or with another query, and it expires.
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** IV, full tag and at least one byte of ciphertext: anything shorter was never sealed here. */
const MIN_BYTES = IV_BYTES + TAG_BYTES + 1;
const LIFETIME_MS = 15 * 60 * 1000;

export async function sealCursor(position: Record<string, unknown>, binding: string, now = Date.now()): Promise<string> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', await dataKeys().derive('cursor'), iv);
  cipher.setAAD(Buffer.from(binding, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify({ p: position, e: now + LIFETIME_MS }), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export async function openCursor(token: string, binding: string, now = Date.now()): Promise<Record<string, unknown>> {
  const key = await dataKeys().derive('cursor');
  try {
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length < MIN_BYTES) throw new Error('cursor too short to hold a full tag');
    // A fixed tag length: without it GCM accepts a tag cut to 4 bytes, which is far easier to forge.
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(binding, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const text = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    const { p, e } = JSON.parse(text) as { p: Record<string, unknown>; e: number };
    if (!(e > now)) throw new Error('expired');
    return p;
  } catch (error) {
    throw new ApiError('INVALID_CURSOR', { reason: 'cursor-rejected', cause: error });
  }
}
