import type { JWK } from 'jose';
import { SignJWT, importJWK } from 'jose';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { Agent, fetch } from 'undici';
import type { AccessLogRecord, LocalStack } from '@health-api/local';

/** HTTPS calls that trust the stack's CA and nothing else. */
export function stackClient(stack: Pick<LocalStack, 'caPem'>) {
  const dispatcher: Dispatcher = new Agent({ connect: { ca: stack.caPem } });
  return {
    dispatcher,
    fetch: (url: string, init: Parameters<typeof fetch>[1] = {}) => fetch(url, { ...init, dispatcher }),
    close: () => dispatcher.close(),
  };
}

export type StackClient = ReturnType<typeof stackClient>;

/** An access token from the stack's issuer with a system client's real credentials. */
export async function clientCredentialsToken(client: StackClient, stack: LocalStack, name: keyof LocalStack['clients'], scope?: string): Promise<string> {
  const { clientId, clientSecret, scope: allowed } = stack.clients[name];
  const response = await client.fetch(stack.tokenEndpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: scope ?? allowed }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || !body.access_token) throw new Error(`token request failed: ${response.status}`);
  return body.access_token;
}

/**
 * An access token as a SMART Backend Services client gets one: client_credentials, the client
 * authenticated by a short-lived JWT signed with its own private key (RFC 7523), no secret.
 * `headers` go to the token endpoint too (a DPoP proof, for a DPoP-bound token).
 */
export async function backendServicesToken(client: StackClient, stack: Pick<LocalStack, 'backendService' | 'tokenEndpoint'>, scope?: string, headers: Record<string, string> = {}): Promise<string> {
  const { clientId, privateJwk, alg } = stack.backendService;
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg, kid: String(privateJwk.kid), typ: 'JWT' })
    .setIssuer(clientId).setSubject(clientId).setAudience(stack.tokenEndpoint)
    .setJti(randomUUID()).setIssuedAt().setExpirationTime('5m')
    .sign(await importJWK(privateJwk as JWK, alg));
  const response = await client.fetch(stack.tokenEndpoint, {
    method: 'POST',
    headers,
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: scope ?? stack.backendService.scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || !body.access_token) throw new Error(`backend services token request failed: ${response.status}`);
  return body.access_token;
}

export function jwtParts(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  return { header, payload };
}

/** Collects the gateway's access log; `byRequestId` finds the line of one response. */
export function accessLog() {
  const lines: string[] = [];
  return {
    sink: (line: string) => { lines.push(line); },
    lines,
    records: () => lines.map((line) => JSON.parse(line) as AccessLogRecord),
    of: (response: { headers: { get(name: string): string | null } }) =>
      lines.map((line) => JSON.parse(line) as AccessLogRecord).filter((r) => r.requestId === response.headers.get('x-amzn-requestid')),
  };
}

/** A name→value cookie jar over `Set-Cookie`, enough for the issuer's login flow. */
function cookieJar() {
  const cookies = new Map<string, string>();
  return {
    store: (headers: Headers) => {
      for (const cookie of headers.getSetCookie()) {
        const [pair = ''] = cookie.split(';');
        const at = pair.indexOf('=');
        cookies.set(pair.slice(0, at), pair.slice(at + 1));
      }
    },
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
  };
}

export interface AuthorizationCodeResult {
  status: number;
  tokens: Record<string, unknown>;
  /** Where the issuer sent the browser in the end (the redirect URI with `code` or `error`). */
  finalLocation: string;
}

/**
 * The SMART app's sign-in without a browser: authorization request with PKCE, the development
 * login and consent, then the code exchange with the verifier.
 */
export async function authorizationCodeFlow(
  client: StackClient, stack: LocalStack,
  { login, scope, challengeMethod = 'S256' }: { login: string; scope: string; challengeMethod?: string },
): Promise<AuthorizationCodeResult> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = challengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  const jar = cookieJar();
  const go = async (url: string, init: { method?: string; body?: URLSearchParams } = {}) => {
    const response = await client.fetch(new URL(url, stack.issuer).href, { ...init, redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(response.headers as unknown as Headers);
    await response.arrayBuffer();
    return response;
  };
  const authorize = new URL('/auth', stack.issuer);
  authorize.search = new URLSearchParams({
    client_id: stack.smartApp.clientId, response_type: 'code', redirect_uri: stack.smartApp.redirectUri, scope,
    code_challenge: challenge, code_challenge_method: challengeMethod, state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'), prompt: 'consent',
  }).toString();
  let location = (await go(authorize.href)).headers.get('location') ?? '';
  // Login, then consent: each is an interaction page posted back, then a resume redirect.
  for (const prompt of ['login', 'consent']) {
    if (!location.includes('/interaction/')) break;
    await go(location);
    const form = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt });
    const resume = (await go(location, { method: 'POST', body: form })).headers.get('location') ?? '';
    location = (await go(resume)).headers.get('location') ?? '';
  }
  const code = new URL(location).searchParams.get('code');
  if (!code) return { status: 0, tokens: {}, finalLocation: location };
  const response = await client.fetch(stack.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: stack.smartApp.redirectUri, code_verifier: verifier,
      client_id: stack.smartApp.clientId,
    }),
  });
  return { status: response.status, tokens: (await response.json()) as Record<string, unknown>, finalLocation: location };
}
