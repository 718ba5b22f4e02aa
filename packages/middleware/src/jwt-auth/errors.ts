/**
 * The verifier's two failures, apart from the verifier itself so the authentication step can
 * tell them apart without loading aws-jwt-verify: that loads with the first token (or at init).
 */

/** The token is not acceptable (401); the reason goes to the security log only. */
export class TokenRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TokenRejected';
  }
}

/** The issuer's keys cannot be had: the API's problem, not the token's (503, retry later). */
export class IssuerUnavailable extends Error {
  constructor(readonly reason: 'issuer-unavailable' | 'issuer-discovery-invalid', readonly retryAfterSeconds: number, options?: ErrorOptions) {
    super(reason, options);
    this.name = 'IssuerUnavailable';
  }
}
