import type { AuthConfig } from '@health-api/core';
import { inSubsegment } from '@health-api/core/tracing';
import { WaitPeriodNotYetEndedJwkError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import type { Jwks, PenaltyBox } from 'aws-jwt-verify/jwk';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { rootCertificates } from 'node:tls';
import { DiscoveryInvalid, discoverJwksUri } from './discovery.js';
import { IssuerUnavailable } from './errors.js';

/**
 * The issuer's signing keys: aws-jwt-verify's JWKS cache, plus what it leaves open. Where the
 * JWKS is (discovery, once), a bound on downloads, a background refresh past a max age, and an
 * issuer that cannot be reached told apart from a key it does not publish: the first is the
 * API's problem (503, retry later), the second the token's (401).
 */

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
  /**
   * Starts `ready()` ahead of the first request (at init, as aws-jwt-verify's hydrate() would);
   * never throws. A failed attempt hands its download back, so the first request tries again
   * (and answers 503 if the issuer is still down) rather than wait out the interval.
   */
  prefetch(): void;
}

/** What one issuer's key downloads share. */
interface KeyState {
  readonly auth: AuthConfig;
  readonly fetcher: Fetcher;
  readonly jwksCache: IssuerJwksCache;
  /** The first download's and unknown-kid re-fetches' budget. */
  readonly limiter: JwksRefetchLimiter;
  /** The background refresh's own budget, so it never uses up the download a freshly rotated kid needs. */
  readonly backgroundLimiter: JwksRefetchLimiter;
  /** Configured, or found by discovery; once set it never changes. */
  jwksUri: string | undefined;
  /** When the last JWKS arrived; 0 until the first. */
  downloadedAt: number;
  /** The first download under way or done; cleared when it fails, so the next request tries again. */
  started: Promise<string> | undefined;
  /** A background refresh is under way: at most one at a time. */
  refreshing: boolean;
}

/**
 * The first download: discovery if no JWKS URI is configured, then the JWKS. It spends the
 * shared budget first, so cold requests against an issuer that is down cost one attempt per
 * interval, not one each.
 */
async function firstDownload(state: KeyState): Promise<string> {
  const { jwksCache } = state;
  await state.limiter.wait().catch((error: unknown) => { throw jwksCache.unavailable('issuer-unavailable', error); });
  state.jwksUri ??= await discoverJwksUri(state.auth.issuer, state.fetcher).catch((error: unknown) => {
    throw jwksCache.unavailable(error instanceof DiscoveryInvalid ? 'issuer-discovery-invalid' : 'issuer-unavailable', error);
  });
  await jwksCache.getJwks(state.jwksUri);
  return state.jwksUri;
}

/** Concurrent cold requests share one first download; a failed one is forgotten so the next request retries. */
function ready(state: KeyState): Promise<string> {
  state.started ??= firstDownload(state).catch((error: unknown) => {
    state.started = undefined;
    throw error;
  });
  return state.started;
}

/**
 * aws-jwt-verify keeps a JWKS forever; a key the issuer withdrew would verify until the next
 * unknown kid. Past the max age, one download runs in the background under its own budget; the
 * request goes on with the keys it has, and if the issuer is down they stay.
 */
async function refreshWhenOld(state: KeyState): Promise<void> {
  const uri = state.jwksUri;
  if (state.refreshing || uri === undefined || state.downloadedAt === 0 || Date.now() - state.downloadedAt < state.auth.jwksMaxAgeSeconds * 1000) return;
  state.refreshing = true;
  try {
    await state.backgroundLimiter.wait();
    await state.jwksCache.getJwks(uri);
  } catch {
    // The old keys stay; the next request past the interval tries again.
  } finally {
    state.refreshing = false;
  }
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
  const limiter = new JwksRefetchLimiter(intervalMs);
  const state: KeyState = {
    auth,
    fetcher,
    limiter,
    backgroundLimiter: new JwksRefetchLimiter(intervalMs),
    jwksCache: new IssuerJwksCache(fetcher, limiter, () => {
      state.downloadedAt = Date.now();
      onNewJwks();
    }),
    jwksUri: auth.jwksUri,
    downloadedAt: 0,
    started: undefined,
    refreshing: false,
  };
  return {
    jwksCache: state.jwksCache,
    ready: () => ready(state),
    refreshWhenOld: () => { void refreshWhenOld(state); },
    prefetch: () => {
      void ready(state).catch(() => limiter.release());
    },
  };
}
