import type { AuthConfig } from '@health-api/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestIssuer } from '../../../../test/support/issuer.js';
import { newKey, startTestIssuer } from '../../../../test/support/issuer.js';
import { IssuerUnavailable, TokenRejected } from './errors.js';
import { JwksRefetchLimiter } from './issuer-keys.js';
import { checkAudienceBinding, checkHeader, checkLifetime, createAccessTokenVerifier } from './verifier.js';

/** The verifier's settings for a test issuer, the JWKS found by discovery. */
const authConfig = (issuer: TestIssuer): AuthConfig => ({
  issuer: issuer.issuer, issuerKind: 'oidc', audience: issuer.audience, clientIds: [], maxTokenLifetimeSeconds: 900,
  maxAuthorizationLength: 4096, jwksRefetchIntervalSeconds: 60, jwksMaxAgeSeconds: 900, legacyTokenTypes: false,
  tokenCacheSize: 100, tokenCacheSeconds: 300, extraCaPem: issuer.caPem, senderConstraint: 'none',
});

describe('checkHeader', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['alg none', { alg: 'none', kid: 'k' }, 'alg-not-allowed'],
    ['HS256', { alg: 'HS256', kid: 'k' }, 'alg-not-allowed'],
    ['PS256', { alg: 'PS256', kid: 'k' }, 'alg-not-allowed'],
    ['crit', { alg: 'ES256', kid: 'k', crit: ['x'] }, 'crit-header'],
    ['jku', { alg: 'ES256', kid: 'k', jku: 'https://x' }, 'key-in-header'],
    ['x5c', { alg: 'ES256', kid: 'k', x5c: ['MII'] }, 'key-in-header'],
    ['no kid', { alg: 'ES256' }, 'bad-kid'],
    ['kid with a path', { alg: 'ES256', kid: '../../keys' }, 'bad-kid'],
    ['kid with a slash', { alg: 'ES256', kid: 'a/b' }, 'bad-kid'],
    ['ID token typ', { alg: 'ES256', kid: 'k', typ: 'id+jwt' }, 'bad-typ'],
    ['typ that is not a string', { alg: 'ES256', kid: 'k', typ: 7 }, 'bad-typ'],
    ['no typ (legacy not allowed)', { alg: 'ES256', kid: 'k' }, 'no-typ'],
    ['typ JWT (legacy not allowed)', { alg: 'ES256', kid: 'k', typ: 'JWT' }, 'bad-typ'],
  ])('rejects %s', (_name, header, reason) => {
    expect(() => checkHeader(header as never, false)).toThrow(new TokenRejected(reason));
  });

  it.each([{ alg: 'ES256', kid: 'k1', typ: 'at+jwt' }, { alg: 'RS256', kid: 'abc-DEF_1=', typ: 'application/AT+JWT' }, { alg: 'EdDSA', kid: 'k', typ: 'AT+JWT' }])('accepts %o', (header) => {
    expect(() => checkHeader(header as never, false)).not.toThrow();
  });

  it('accepts no typ and typ JWT only when legacy types are allowed, and still no other type', () => {
    expect(() => checkHeader({ alg: 'ES256', kid: 'k' } as never, true)).not.toThrow();
    expect(() => checkHeader({ alg: 'RS256', kid: 'k', typ: 'JWT' } as never, true)).not.toThrow();
    expect(() => checkHeader({ alg: 'RS256', kid: 'k', typ: 'id+jwt' } as never, true)).toThrow(new TokenRejected('bad-typ'));
  });
});

describe('checkLifetime', () => {
  const now = 1_700_000_000;
  it('requires exp and iat, caps the lifetime and refuses iat in the future', () => {
    expect(() => checkLifetime({ iat: now }, 900, now)).toThrow('no-exp');
    expect(() => checkLifetime({ exp: now + 60 }, 900, now)).toThrow('no-iat');
    expect(() => checkLifetime({ iat: now, exp: now + 901 }, 900, now)).toThrow('lifetime-too-long');
    expect(() => checkLifetime({ iat: now + 120, exp: now + 300 }, 900, now)).toThrow('iat-in-future');
    expect(() => checkLifetime({ iat: now, exp: now + 900 }, 900, now)).not.toThrow();
  });
});

describe('checkAudienceBinding', () => {
  const oidc = (clientIds: string[]) => ({ issuerKind: 'oidc' as const, clientIds });
  const cognito = { issuerKind: 'cognito' as const, clientIds: ['a'] };

  it('accepts only access tokens, and only of listed clients when a list is set', () => {
    expect(() => checkAudienceBinding({ token_use: 'id', client_id: 'a' }, oidc([]))).toThrow('not-an-access-token');
    expect(() => checkAudienceBinding({ token_use: 'access', client_id: 'b' }, oidc(['a']))).toThrow('client-not-accepted');
    expect(() => checkAudienceBinding({ client_id: 'a' }, oidc(['a']))).not.toThrow();
    expect(() => checkAudienceBinding({}, oidc([]))).not.toThrow();
  });

  it('for a Cognito issuer, accepts only Cognito access tokens: token_use access, no aud, a listed client', () => {
    expect(() => checkAudienceBinding({ token_use: 'access', client_id: 'a' }, cognito)).not.toThrow();
    expect(() => checkAudienceBinding({ token_use: 'access', client_id: 'a', aud: 'https://other.api' }, cognito)).toThrow('aud-without-audience');
    expect(() => checkAudienceBinding({ token_use: 'access', client_id: 'a', aud: [] }, cognito)).toThrow('aud-without-audience');
    expect(() => checkAudienceBinding({ client_id: 'a' }, cognito)).toThrow('not-an-access-token');
    expect(() => checkAudienceBinding({ token_use: 'access', client_id: 'b' }, cognito)).toThrow('client-not-accepted');
  });
});

describe('JwksRefetchLimiter', () => {
  it('allows one download per interval, whatever its outcome, and says how long to wait', async () => {
    const limiter = new JwksRefetchLimiter(60_000);
    expect(limiter.secondsToWait()).toBe(0);
    await expect(limiter.wait()).resolves.toBeUndefined();
    await expect(limiter.wait()).rejects.toThrow('limited');
    expect(limiter.secondsToWait()).toBeGreaterThan(58);
    expect(limiter.secondsToWait()).toBeLessThanOrEqual(60);
  });
});

describe('createAccessTokenVerifier against a real JWKS', () => {
  let issuer: TestIssuer;
  let config: AuthConfig;
  beforeAll(async () => {
    issuer = await startTestIssuer();
    config = { ...authConfig(issuer), jwksUri: issuer.jwksUri };
  });
  afterAll(() => issuer.close());

  it('shares the first JWKS download between concurrent cold requests', async () => {
    const verifier = createAccessTokenVerifier(config);
    const before = issuer.jwksRequests();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => issuer.token()));
    const payloads = await Promise.all(tokens.map((t) => verifier.verify(t)));
    expect(payloads.every((p) => p.iss === issuer.issuer)).toBe(true);
    expect(issuer.jwksRequests() - before).toBe(1);
  });

  it('prefetches the keys at init, so the first request downloads nothing', async () => {
    const verifier = createAccessTokenVerifier(config);
    const before = issuer.jwksRequests();
    verifier.prefetch();
    await expect.poll(() => issuer.jwksRequests() - before).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the download lands in the cache
    await expect(verifier.verify(await issuer.token())).resolves.toMatchObject({ iss: issuer.issuer });
    expect(issuer.jwksRequests() - before).toBe(1);
  });

  it('fails nothing when prefetching from an issuer that is down: the first request tries again and answers issuer-unavailable', async () => {
    issuer.setDown(true);
    try {
      const verifier = createAccessTokenVerifier(config);
      const before = issuer.jwksRequests();
      verifier.prefetch();
      await expect.poll(() => issuer.jwksRequests() - before).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the failed attempt settles
      const tried = issuer.jwksRequests();
      await expect(verifier.verify(await issuer.token())).rejects.toBeInstanceOf(IssuerUnavailable);
      expect(issuer.jwksRequests()).toBeGreaterThan(tried); // not refused from a budget the prefetch used up
      issuer.setDown(false);
      const after = createAccessTokenVerifier(config);
      after.prefetch();
      await expect(after.verify(await issuer.token())).resolves.toMatchObject({ iss: issuer.issuer });
    } finally {
      issuer.setDown(false);
    }
  });

  it('keeps verifying cached keys while the issuer is down, and does not hammer it', async () => {
    const verifier = createAccessTokenVerifier(config);
    await verifier.verify(await issuer.token());
    issuer.setDown(true);
    try {
      const before = issuer.jwksRequests();
      await expect(verifier.verify(await issuer.token())).resolves.toBeDefined();
      const stranger = await newKey('unseen');
      const unknown = await issuer.token({}, {}, stranger);
      for (let i = 0; i < 5; i += 1) await expect(verifier.verify(unknown)).rejects.toThrow();
      expect(issuer.jwksRequests() - before).toBeLessThanOrEqual(1);
    } finally {
      issuer.setDown(false);
    }
  });

  it('bounds retries when the issuer is down at cold start', async () => {
    issuer.setDown(true);
    try {
      const verifier = createAccessTokenVerifier(config);
      const before = issuer.jwksRequests();
      const token = await issuer.token();
      for (let i = 0; i < 5; i += 1) await expect(verifier.verify(token)).rejects.toThrow();
      // SimpleFetcher retries a failed download once, immediately: one attempt = up to two requests.
      expect(issuer.jwksRequests() - before).toBeLessThanOrEqual(2);
    } finally {
      issuer.setDown(false);
    }
  });

  it('picks up a rotated key with one bounded re-fetch; the old key keeps working', async () => {
    const verifier = createAccessTokenVerifier({ ...config, jwksRefetchIntervalSeconds: 1 });
    await verifier.verify(await issuer.token());
    const rotated = await newKey('rotated-key');
    issuer.publish([issuer.signingKey, rotated]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const before = issuer.jwksRequests();
      await expect(verifier.verify(await issuer.token({}, {}, rotated))).resolves.toBeDefined();
      await expect(verifier.verify(await issuer.token())).resolves.toBeDefined();
      expect(issuer.jwksRequests() - before).toBe(1);
    } finally {
      issuer.publish([issuer.signingKey]);
    }
  });

  it('binds tokens without aud (Cognito) to the listed clients', async () => {
    const verifier = createAccessTokenVerifier({ ...config, issuerKind: 'cognito', audience: null, clientIds: ['clinical-app'], legacyTokenTypes: true });
    const cognitoLike = (clientId: string) => issuer.token({ aud: undefined, client_id: clientId, token_use: 'access' }, { typ: undefined });
    await expect(verifier.verify(await cognitoLike('clinical-app'))).resolves.toMatchObject({ client_id: 'clinical-app' });
    await expect(verifier.verify(await cognitoLike('someone-else'))).rejects.toThrow('client-not-accepted');
  });

  it('refuses, without an audience, a listed client\'s token that names another API in aud', async () => {
    const verifier = createAccessTokenVerifier({ ...config, issuerKind: 'cognito', audience: null, clientIds: ['clinical-app'], legacyTokenTypes: true });
    const forOtherApi = await issuer.token({ aud: 'https://other.api.example', client_id: 'clinical-app', token_use: 'access' }, { typ: undefined });
    await expect(verifier.verify(forOtherApi)).rejects.toThrow('aud-without-audience');
  });

  it('stops verifying a withdrawn key once the JWKS is past its max age, without a restart', async () => {
    const verifier = createAccessTokenVerifier({ ...config, jwksRefetchIntervalSeconds: 1, jwksMaxAgeSeconds: 1 });
    const old = await issuer.token();
    await verifier.verify(old);
    issuer.publish([await newKey('successor-key')]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await verifier.verify(old).catch(() => undefined); // starts the background download
      await new Promise((resolve) => setTimeout(resolve, 300));
      await expect(verifier.verify(old)).rejects.toThrow();
    } finally {
      issuer.publish([issuer.signingKey]);
    }
  });

  it('keeps the keys it has when the max-age download fails (issuer down)', async () => {
    const verifier = createAccessTokenVerifier({ ...config, jwksRefetchIntervalSeconds: 1, jwksMaxAgeSeconds: 1 });
    await verifier.verify(await issuer.token());
    issuer.setDown(true);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await expect(verifier.verify(await issuer.token())).resolves.toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await expect(verifier.verify(await issuer.token())).resolves.toBeDefined();
    } finally {
      issuer.setDown(false);
    }
  });

  it('answers issuer-unavailable, not a token refusal, when the issuer is down at cold start', async () => {
    issuer.setDown(true);
    try {
      const verifier = createAccessTokenVerifier(config);
      const token = await issuer.token();
      const first = await verifier.verify(token).catch((error: unknown) => error);
      expect(first).toBeInstanceOf(IssuerUnavailable);
      expect(first).toMatchObject({ reason: 'issuer-unavailable' });
      expect((first as IssuerUnavailable).retryAfterSeconds).toBeGreaterThanOrEqual(59); // the next download allowed
      await expect(verifier.verify(token)).rejects.toBeInstanceOf(IssuerUnavailable); // limited, still unavailable
    } finally {
      issuer.setDown(false);
    }
  });

  it('answers issuer-unavailable for an unknown kid once a download failed (it may be a fresh rotation), 401 again once the issuer is back', async () => {
    const verifier = createAccessTokenVerifier({ ...config, jwksRefetchIntervalSeconds: 1 });
    await verifier.verify(await issuer.token());
    const stranger = await newKey('rotated-while-down');
    const unknown = await issuer.token({}, {}, stranger);
    await expect(verifier.verify(unknown)).rejects.toThrow('limited'); // a JWKS just downloaded lacks it
    issuer.setDown(true);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await expect(verifier.verify(unknown)).rejects.toBeInstanceOf(IssuerUnavailable); // the download fails
      await expect(verifier.verify(unknown)).rejects.toBeInstanceOf(IssuerUnavailable); // limited after a failure
      await expect(verifier.verify(await issuer.token())).resolves.toBeDefined(); // cached keys still verify
    } finally {
      issuer.setDown(false);
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(verifier.verify(unknown)).rejects.toThrow(/not found in the JWKS/);
  });

  it('does not let the background refresh use up the download a freshly rotated kid needs', async () => {
    const verifier = createAccessTokenVerifier({ ...config, jwksRefetchIntervalSeconds: 1, jwksMaxAgeSeconds: 1 });
    await verifier.verify(await issuer.token());
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = issuer.jwksRequests();
    await verifier.verify(await issuer.token()); // past the max age: starts the background download
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(issuer.jwksRequests() - before).toBe(1);
    const rotated = await newKey('rotated-after-refresh');
    issuer.publish([rotated, issuer.signingKey]);
    try {
      await expect(verifier.verify(await issuer.token({}, {}, rotated))).resolves.toBeDefined();
      expect(issuer.jwksRequests() - before).toBe(2);
    } finally {
      issuer.publish([issuer.signingKey]);
    }
  });

  describe('with the verified-token cache', () => {
    it('does not serve a token past its exp', async () => {
      const verifier = createAccessTokenVerifier(config);
      const exp = Math.floor(Date.now() / 1000) + 2;
      const token = await issuer.token({ exp });
      await expect(verifier.verify(token)).resolves.toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
      await expect(verifier.verify(token)).rejects.toThrow();
    });

    it('does not serve a token that differs by one bit from a cached one', async () => {
      const verifier = createAccessTokenVerifier(config);
      const token = await issuer.token();
      await verifier.verify(token);
      const flipped = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
      await expect(verifier.verify(flipped)).rejects.toThrow();
    });

    it('forgets tokens of a key withdrawn by a rotation', async () => {
      const verifier = createAccessTokenVerifier({ ...config, jwksRefetchIntervalSeconds: 1 });
      const old = await issuer.token();
      await verifier.verify(old);
      const replacement = await newKey('replacement-key');
      issuer.publish([replacement]);
      try {
        await new Promise((resolve) => setTimeout(resolve, 1100));
        await expect(verifier.verify(await issuer.token({}, {}, replacement))).resolves.toBeDefined();
        await expect(verifier.verify(old)).rejects.toThrow();
      } finally {
        issuer.publish([issuer.signingKey]);
      }
    });
  });
});

describe('createAccessTokenVerifier finding the JWKS by discovery', () => {
  let issuer: TestIssuer;
  let config: AuthConfig;
  beforeAll(async () => {
    issuer = await startTestIssuer(undefined, { trailingSlash: true });
    config = authConfig(issuer);
  });
  afterAll(() => issuer.close());

  it('reads jwks_uri from <issuer>/.well-known/openid-configuration once, for an issuer that ends in a slash', async () => {
    expect(issuer.issuer).toMatch(/\/$/);
    const verifier = createAccessTokenVerifier(config);
    const tokens = await Promise.all(Array.from({ length: 5 }, () => issuer.token()));
    await expect(Promise.all(tokens.map((t) => verifier.verify(t)))).resolves.toHaveLength(5);
    await verifier.verify(await issuer.token());
    expect([issuer.discoveryRequests(), issuer.jwksRequests()]).toEqual([1, 1]);
  });

  it('refuses a discovery document that names another issuer: issuer-unavailable, and no JWKS download', async () => {
    const jwksBefore = issuer.jwksRequests();
    const verifier = createAccessTokenVerifier({ ...config, issuer: issuer.issuer.slice(0, -1) });
    await expect(verifier.verify(await issuer.token({ iss: issuer.issuer.slice(0, -1) }))).rejects.toMatchObject({ name: 'IssuerUnavailable', reason: 'issuer-discovery-invalid' });
    expect(issuer.jwksRequests()).toBe(jwksBefore);
  });

  it('uses AUTH_JWKS_URI instead of discovery when it is set', async () => {
    const discoveryBefore = issuer.discoveryRequests();
    const verifier = createAccessTokenVerifier({ ...config, jwksUri: issuer.jwksUri });
    await expect(verifier.verify(await issuer.token())).resolves.toBeDefined();
    expect(issuer.discoveryRequests()).toBe(discoveryBefore);
  });
});
