import { createHmac } from 'node:crypto';
import { dataKeys } from './data-keys.js';

/**
 * Keyed HMAC-SHA256 of a normalised value: equal values find each other in an index, yet the
 * stored token reveals nothing without the key (an unkeyed hash of an NHI could be reversed by
 * hashing every possible NHI). Each kind of value has its own derived key.
 */
export async function blindIndex(kind: 'nhi' | 'code', normalisedValue: string): Promise<string> {
  return createHmac('sha256', await dataKeys().derive(`blind-index:${kind}`)).update(normalisedValue, 'utf8').digest('base64url');
}
