/**
 * What a DPoP proof must meet, apart from the checks themselves (dpop-proof.ts): kept out of
 * that module so the challenge and error mapping load without jose, which is imported only
 * when a proof is checked.
 */

export class ProofRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ProofRejected';
  }
}

/** Asymmetric algorithms only (FAPI 2.0 also rules out RSA PKCS#1 v1.5): never `none`, never HMAC. */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519'] as const;
/** Longest DPoP header accepted, in characters: a proof is a few hundred; more is an attack on the parser. */
export const MAX_PROOF_LENGTH = 8192;
/** A proof is good for this long after its `iat` (RFC 9449 section 11.1: "a short window"). */
export const PROOF_MAX_AGE_SECONDS = 60;
