import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import { EmbeddedJWK, calculateJwkThumbprint, jwtVerify } from 'jose';
import { DPOP_ALGORITHMS, MAX_PROOF_LENGTH, PROOF_MAX_AGE_SECONDS, ProofRejected } from './dpop-rules.js';

/**
 * A DPoP proof (RFC 9449 section 4.3), checked with jose: typed `dpop+jwt`, signed with an
 * asymmetric algorithm of the allow-list by the public key it carries, made for this method and
 * URL, recent, and tied to the access token it comes with (`ath`). Whether its `jti` was seen
 * before is the replay store's question; whether the token is bound to its key is the caller's.
 */

/** How far a client's clock may run ahead of ours. */
const FUTURE_SKEW_SECONDS = 5;
/** Members of a private or symmetric JWK: a proof carrying one leaks its key or is no proof. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const JTI = /^[\x21-\x7e]{8,256}$/;
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface ProofRequest {
  /** The request's method, as the gateway received it. */
  method: string;
  /** The request's absolute URL from the gateway's request context (never the client's Host header). */
  url: string;
  /** The access token the proof must name in `ath`. */
  accessToken: string;
  nowSeconds?: number;
}

export interface VerifiedProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key: what `cnf.jkt` must equal. */
  jkt: string;
  jti: string;
  iat: number;
}

/** `htu` as RFC 9449 compares it: scheme, host, port and path; no query or fragment. */
function comparableUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return undefined;
  }
}

export const accessTokenHash = (token: string): string => createHash('sha256').update(token, 'ascii').digest('base64url');

export async function verifyDpopProof(proof: string, request: ProofRequest): Promise<VerifiedProof> {
  if (proof.length > MAX_PROOF_LENGTH) throw new ProofRejected('proof-too-large');
  if (!JWS.test(proof)) throw new ProofRejected('malformed');
  let verified: Awaited<ReturnType<typeof jwtVerify>>;
  try {
    verified = await jwtVerify(proof, async (header, token) => {
      const jwk = header.jwk as JWK | undefined;
      if (jwk && PRIVATE_MEMBERS.some((name) => name in jwk)) throw new ProofRejected('private-key-in-proof');
      return EmbeddedJWK(header, token);
    }, { typ: 'dpop+jwt', algorithms: [...DPOP_ALGORITHMS] });
  } catch (error) {
    if (error instanceof ProofRejected) throw error;
    throw new ProofRejected((error as { code?: string }).code ?? 'signature');
  }
  const { payload, protectedHeader } = verified;
  if (protectedHeader.crit !== undefined) throw new ProofRejected('crit-header');
  const now = request.nowSeconds ?? Math.floor(Date.now() / 1000);
  const { htm, htu, iat, jti, ath } = payload as Record<string, unknown>;
  if (typeof jti !== 'string' || !JTI.test(jti)) throw new ProofRejected('bad-jti');
  if (htm !== request.method) throw new ProofRejected('htm-mismatch');
  const expected = comparableUrl(request.url);
  if (expected === undefined || typeof htu !== 'string' || comparableUrl(htu) !== expected) throw new ProofRejected('htu-mismatch');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new ProofRejected('no-iat');
  if (iat > now + FUTURE_SKEW_SECONDS) throw new ProofRejected('iat-in-future');
  if (iat < now - PROOF_MAX_AGE_SECONDS) throw new ProofRejected('iat-too-old');
  if (typeof ath !== 'string') throw new ProofRejected('no-ath');
  if (ath !== accessTokenHash(request.accessToken)) throw new ProofRejected('ath-mismatch');
  return { jkt: await calculateJwkThumbprint(protectedHeader.jwk as JWK, 'sha256'), jti, iat };
}
