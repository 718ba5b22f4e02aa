/**
 * A DPoP client for tests and the bench (RFC 9449): its own key pair, and proofs made with jose
 * for one request, each part overridable so an attack changes exactly one thing.
 */
import type { CryptoKey, JWK, JWTHeaderParameters, JWTPayload, KeyObject } from 'jose';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { createHash, randomUUID } from 'node:crypto';

export interface ProofOptions {
  method: string;
  url: string;
  /** The token the proof is for; `undefined` leaves `ath` out. */
  accessToken?: string;
  claims?: JWTPayload;
  header?: Partial<JWTHeaderParameters>;
}

export interface DpopClient {
  /** RFC 7638 thumbprint of its public key: the `jkt` its tokens are bound to. */
  jkt: string;
  publicJwk: JWK;
  privateJwk: JWK;
  privateKey: CryptoKey | KeyObject;
  proof: (options: ProofOptions) => Promise<string>;
}

export const ath = (token: string): string => createHash('sha256').update(token, 'ascii').digest('base64url');

export async function dpopClient(alg = 'ES256'): Promise<DpopClient> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const privateJwk = await exportJWK(privateKey);
  return {
    jkt: await calculateJwkThumbprint(publicJwk, 'sha256'),
    publicJwk,
    privateJwk,
    privateKey,
    proof: ({ method, url, accessToken, claims = {}, header = {} }) => {
      const payload: JWTPayload = {
        jti: randomUUID(), htm: method, htu: url, iat: Math.floor(Date.now() / 1000),
        ...(accessToken !== undefined ? { ath: ath(accessToken) } : {}), ...claims,
      };
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
      return new SignJWT(payload).setProtectedHeader({ alg, typ: 'dpop+jwt', jwk: publicJwk, ...header }).sign(privateKey);
    },
  };
}
