import { afterEach, describe, expect, it, vi } from 'vitest';
import { VerifiedTokenCache } from './verified-token-cache.js';

const payload = (expInSeconds: number) => ({ exp: Math.floor(Date.now() / 1000) + expInSeconds, iss: 'i' });

describe('VerifiedTokenCache', () => {
  afterEach(() => vi.useRealTimers());

  it('evicts the least recently used entry beyond its size', () => {
    const cache = new VerifiedTokenCache(2, 60_000);
    cache.set('a', payload(600), cache.generation);
    cache.set('b', payload(600), cache.generation);
    cache.get('a');
    cache.set('c', payload(600), cache.generation);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
  });

  it('keeps an entry no longer than its max age, even when exp is later', () => {
    vi.useFakeTimers();
    const cache = new VerifiedTokenCache(10, 1000);
    cache.set('a', payload(600), cache.generation);
    vi.advanceTimersByTime(1001);
    expect(cache.get('a')).toBeUndefined();
  });

  it('caches nothing when its size is 0, and nothing without exp', () => {
    const off = new VerifiedTokenCache(0, 1000);
    off.set('a', payload(600), off.generation);
    expect(off.get('a')).toBeUndefined();
    const on = new VerifiedTokenCache(10, 1000);
    on.set('b', { iss: 'i' }, on.generation);
    expect(on.size).toBe(0);
  });

  it('does not take a token verified before the last clear (its key may have been withdrawn since)', () => {
    const cache = new VerifiedTokenCache(10, 60_000);
    const before = cache.generation;
    cache.clear(); // a new JWKS arrived while the token was being verified
    cache.set('old', payload(600), before);
    expect(cache.get('old')).toBeUndefined();
    cache.set('new', payload(600), cache.generation);
    expect(cache.get('new')).toBeDefined();
  });
});
