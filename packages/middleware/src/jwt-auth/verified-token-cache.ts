import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { LRUCache } from 'lru-cache';
import { hash } from 'node:crypto';

/**
 * Verified tokens, like API Gateway's authorizer cache: a repeat of the exact same token skips
 * the signature check. Keyed by a hash of the whole token (one changed bit is another key),
 * never kept past the token's `exp` or `maxAgeMs` (lru-cache's per-entry `ttl`), bounded in size
 * (`max`: least recently used goes first), and emptied whenever the JWKS is downloaded again so
 * a withdrawn key stops working.
 */
export class VerifiedTokenCache {
  /** Undefined when the size is 0: lru-cache needs a positive `max`. */
  private readonly entries: LRUCache<string, JwtPayload> | undefined;
  private clears = 0;

  constructor(maxEntries: number, private readonly maxAgeMs: number) {
    // Date.now, not lru-cache's default performance.now: a token's `exp` is wall-clock time.
    this.entries = maxEntries > 0 ? new LRUCache({ max: maxEntries, ttl: maxAgeMs, perf: { now: () => Date.now() } }) : undefined;
  }

  /** One-shot `hash`: half the cost of a Hash object for a token, on every request. */
  private static key(token: string): string {
    return hash('sha256', token, 'base64url');
  }

  get(token: string): JwtPayload | undefined {
    return this.entries?.get(VerifiedTokenCache.key(token));
  }

  /**
   * Changes with every clear(). Read it before verifying a token and hand it to set(): a token
   * whose verification began before a clear may have used a key that is now withdrawn.
   */
  get generation(): number {
    return this.clears;
  }

  set(token: string, payload: JwtPayload, generation: number): void {
    if (!this.entries || typeof payload.exp !== 'number' || generation !== this.clears) return;
    const ttl = Math.min(payload.exp * 1000 - Date.now(), this.maxAgeMs);
    if (ttl > 0) this.entries.set(VerifiedTokenCache.key(token), payload, { ttl });
  }

  clear(): void {
    this.entries?.clear();
    this.clears += 1;
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }
}
