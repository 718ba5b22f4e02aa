import type { AuthConfig } from '@health-api/core';
import { inSubsegment } from '@health-api/core/tracing';
import { WaitPeriodNotYetEndedJwkError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import type { Jwks, PenaltyBox } from 'aws-jwt-verify/jwk';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { rootCertificates } from 'node:tls';
import { DiscoveryInvalid, discoverJwksUri } from './discovery.js';

/**
 * The issuer's signing keys: aws-jwt-verify's JWKS cache, plus what it leaves open. Where the
 * JWKS is (discovery, once), a bound on downloads, a background refresh past a max age, and an
 * issuer that cannot be reached told apart from a key it does not publish: the first is the
 * API's problem (503, retry later), the second the token's (401).
 */

export class IssuerUnavailable extends Error {
  constructor(readonly reason: 'issuer-unavailable' | 'issuer-discovery-invalid', readonly retryAfterSeconds: number, options?: ErrorOptions) {
    super(reason, options);
    this.name = 'IssuerUnavailable';
  }
}

/**
 * Allows one download per interval, whatever its outcome. The library's own penalty box only
 * backs off after a download that lacked the key, so an issuer that is down would be asked
 * again on every request. One verifier has one issuer, so one budget serves every URI.
 */
export class JwksRefetchLimiter implements PenaltyBox {
  private lastAttempt: number | undefined;
  constructor(private readonly intervalMs: number) {}

  wait(): Promise<void> {
    if (this.secondsToWait() > 0) return Promise.reject(new WaitPeriodNotYetEndedJwkError('JWKS download limited'));
    this.lastAttempt = Date.now();
    return Promise.resolve();
  }
  /** Whole seconds until the next download is allowed; 0 when it is allowed now. */
  secondsToWait(): number {
    return this.lastAttempt === undefined ? 0 : Math.max(0, Math.ceil((this.lastAttempt + this.intervalMs - Date.now()) / 1000));
  }
  release(): void {
    this.lastAttempt = undefined;
  }
  registerFailedAttempt(): void {}
  registerSuccessfulAttempt(): void {}
}

/** Remembers whether the last JWKS download failed, and reports each new JWKS. */
class IssuerJwksCache extends SimpleJwksCache {
  private lastDownloadFailed = false;

  constructor(fetcher: Fetcher, private readonly limiter: JwksRefetchLimiter, private readonly onNewJwks: () => void) {
    super({ fetcher, penaltyBox: limiter });
  }

  unavailable(reason: IssuerUnavailable['reason'], cause: unknown): IssuerUnavailable {
    return new IssuerUnavailable(reason, Math.max(1, this.limiter.secondsToWait()), { cause });
  }

  override async getJwks(jwksUri: string): Promise<Jwks> {
    let jwks: Jwks;
    try {
      jwks = await inSubsegment('JWKS fetch', () => super.getJwks(jwksUri));
    } catch (error) {
      this.lastDownloadFailed = true;
      throw this.unavailable('issuer-unavailable', error);
    }
    this.lastDownloadFailed = false;
    this.onNewJwks();
    return jwks;
  }

  override async getJwk(...args: Parameters<SimpleJwksCache['getJwk']>): ReturnType<SimpleJwksCache['getJwk']> {
    try {
      return await super.getJwk(...args);
    } catch (error) {
      // A download refused while the issuer is failing: the kid may be a fresh rotation, so the
      // caller should retry, not be told the token is bad.
      if (error instanceof WaitPeriodNotYetEndedJwkError && this.lastDownloadFailed) throw this.unavailable('issuer-unavailable', error);
      throw error;
    }
  }
}

export interface IssuerKeys {
  jwksCache: SimpleJwksCache;
  /** The JWKS location, once the first download (after discovery) succeeded; shared by concurrent cold requests. */
  ready(): Promise<string>;
  /** Downloads the JWKS again in the background once it is older than its max age. */
  refreshWhenOld(): void;
}

export function issuerKeys(auth: AuthConfig, onNewJwks: () => void): IssuerKeys {
  const fetcher = new SimpleFetcher({
    defaultRequestOptions: {
      timeout: 2000,
      responseTimeout: 3000,
      ...(auth.extraCaPem ? { ca: [...rootCertificates, auth.extraCaPem] } : {}),
    },
  });
  const intervalMs = auth.jwksRefetchIntervalSeconds * 1000;
  // The first download and unknown-kid re-fetches share one budget; the background refresh has
  // its own, so it never uses up the download a freshly rotated kid needs.
  const limiter = new JwksRefetchLimiter(intervalMs);
  const backgroundLimiter = new JwksRefetchLimiter(intervalMs);
  let downloadedAt = 0;
  const jwksCache = new IssuerJwksCache(fetcher, limiter, () => {
    downloadedAt = Date.now();
    onNewJwks();
  });

  let jwksUri = auth.jwksUri;
  const start = async (): Promise<string> => {
    await limiter.wait().catch((error: unknown) => { throw jwksCache.unavailable('issuer-unavailable', error); });
    jwksUri ??= await discoverJwksUri(auth.issuer, fetcher).catch((error: unknown) => {
      throw jwksCache.unavailable(error instanceof DiscoveryInvalid ? 'issuer-discovery-invalid' : 'issuer-unavailable', error);
    });
    await jwksCache.getJwks(jwksUri);
    return jwksUri;
  };
  let started: Promise<string> | undefined;
  let refreshing = false;

  return {
    jwksCache,
    ready: () => {
      started ??= start().catch((error: unknown) => {
        started = undefined;
        throw error;
      });
      return started;
    },
    // aws-jwt-verify keeps a JWKS forever; a key the issuer withdrew would verify until the next
    // unknown kid. The request goes on with the keys it has; if the issuer is down, they stay.
    refreshWhenOld: () => {
      if (refreshing || jwksUri === undefined || downloadedAt === 0 || Date.now() - downloadedAt < auth.jwksMaxAgeSeconds * 1000) return;
      const uri = jwksUri;
      refreshing = true;
      void backgroundLimiter.wait()
        .then(() => jwksCache.getJwks(uri))
        .catch(() => undefined)
        .finally(() => { refreshing = false; });
    },
  };
}
