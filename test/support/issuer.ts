import type { JWK, JWTHeaderParameters, JWTPayload, KeyObject } from 'jose';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:https';
import { testTls } from './tls.js';

export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

export interface TestIssuer {
  /** The `iss` of its tokens; ends in a slash when started with `trailingSlash`. */
  issuer: string;
  jwksUri: string;
  audience: string;
  caPem: string;
  /** How many times the JWKS was downloaded. */
  jwksRequests: () => number;
  /** How many times the discovery document was downloaded. */
  discoveryRequests: () => number;
  /** A signed access token: ES256, typ at+jwt, 10 minutes, overridable claim by claim. */
  token: (claims?: JWTPayload, header?: Partial<JWTHeaderParameters>, key?: TestKey) => Promise<string>;
  /** A key the issuer does not publish. */
  foreignKey: () => Promise<TestKey>;
  /** Publish another key (rotation) or stop publishing all. */
  publish: (keys: TestKey[]) => void;
  /** Make the JWKS and discovery endpoints answer 503 (issuer down). */
  setDown: (down: boolean) => void;
  signingKey: TestKey;
  close: () => Promise<void>;
}

export async function newKey(kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { kid, privateKey: privateKey as KeyObject, publicJwk };
}

/**
 * A real issuer for tests: its discovery document and JWKS are served over HTTPS by a
 * certificate from a test CA.
 */
export async function startTestIssuer(audience = 'https://api.test/fhir', options: { trailingSlash?: boolean } = {}): Promise<TestIssuer> {
  const tls = await testTls();
  const signingKey = await newKey('test-key-1');
  let published = [signingKey];
  const requests = { jwks: 0, discovery: 0 };
  let down = false;
  let origin = '';
  const issuerOf = () => `${origin}${options.trailingSlash ? '/' : ''}`;
  const documents = new Map<string, { count: keyof typeof requests; body: () => unknown }>([
    ['/jwks', { count: 'jwks', body: () => ({ keys: published.map((k) => k.publicJwk) }) }],
    ['/.well-known/openid-configuration', { count: 'discovery', body: () => ({ issuer: issuerOf(), jwks_uri: `${origin}/jwks` }) }],
  ]);
  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const document = documents.get(req.url ?? '');
    if (!document) return void res.writeHead(404).end();
    requests[document.count] += 1;
    if (down) return void res.writeHead(503).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(document.body()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://localhost:${(server.address() as AddressInfo).port}`;
  const issuer = issuerOf();

  const token: TestIssuer['token'] = async (claims = {}, header = {}, key = signingKey) => {
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = {
      iss: issuer, aud: audience, sub: 'test-client', client_id: 'test-client', jti: crypto.randomUUID(),
      iat: now, exp: now + 600, scope: 'system/Patient.cruds', ...claims,
    };
    for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
    return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid, ...header }).sign(key.privateKey);
  };

  return {
    issuer,
    jwksUri: `${origin}/jwks`,
    audience,
    caPem: tls.caPem,
    jwksRequests: () => requests.jwks,
    discoveryRequests: () => requests.discovery,
    token,
    foreignKey: () => newKey('foreign-key'),
    publish: (keys) => { published = keys; },
    setDown: (value) => { down = value; },
    signingKey,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
