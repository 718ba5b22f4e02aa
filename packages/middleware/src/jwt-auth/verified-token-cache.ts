import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { createHash } from 'node:crypto';

/**
 * Verified tokens, like API Gateway's authorizer cache: a repeat of the exact same token skips
 * the signature check. Keyed by a hash of the whole token (one changed bit is another key),
 * never kept past the token's `exp` or `maxAgeMs`, bounded in size (least recently used goes
 * first), and emptied whenever the JWKS is downloaded again so a withdrawn key stops working.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { payload: JwtPayload; expiresAtMs: number }>();
  private clears = 0;

  constructor(private readonly maxEntries: number, private readonly maxAgeMs: number) {}

  private static key(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  get(token: string): JwtPayload | undefined {
    if (this.maxEntries === 0) return undefined;
    const key = VerifiedTokenCache.key(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (Date.now() >= entry.expiresAtMs) return undefined;
    this.entries.set(key, entry); // most recently used last
    return entry.payload;
  }

  /**
   * Changes with every clear(). Read it before verifying a token and hand it to set(): a token
   * whose verification began before a clear may have used a key that is now withdrawn.
   */
  get generation(): number {
    return this.clears;
  }

  set(token: string, payload: JwtPayload, generation: number): void {
    if (this.maxEntries === 0 || typeof payload.exp !== 'number' || generation !== this.clears) return;
    this.entries.set(VerifiedTokenCache.key(token), {
      payload,
      expiresAtMs: Math.min(payload.exp * 1000, Date.now() + this.maxAgeMs),
    });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
    this.clears += 1;
  }

  get size(): number {
    return this.entries.size;
  }
}
