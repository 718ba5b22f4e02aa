/**
 * Sender-constrained tokens from the local issuer, as a client gets them: a DPoP-bound token
 * (RFC 9449: a proof sent to the token endpoint) and a certificate-bound one (RFC 8705: the
 * token requested over a connection made with the client's certificate).
 */
import type { LocalStack } from '@health-api/local';
import { readFileSync } from 'node:fs';
import { Agent, fetch } from 'undici';
import type { DpopClient } from '../support/dpop.js';
import type { StackClient } from './stack-client.js';
import { backendServicesToken } from './stack-client.js';

/** The backend service's token (private_key_jwt), bound to `dpop`'s key. */
export async function dpopBoundToken(client: StackClient, stack: Pick<LocalStack, 'backendService' | 'tokenEndpoint'>, dpop: DpopClient, scope?: string): Promise<string> {
  const proof = await dpop.proof({ method: 'POST', url: stack.tokenEndpoint });
  return backendServicesToken(client, stack, scope, { dpop: proof });
}

/** HTTPS calls that trust the stack's CA and present a client certificate (PEM files). */
export function certificateClient(stack: Pick<LocalStack, 'caPem'>, certificate: { certFile: string; keyFile: string }) {
  const dispatcher = new Agent({ connect: { ca: stack.caPem, cert: readFileSync(certificate.certFile), key: readFileSync(certificate.keyFile) } });
  return {
    dispatcher,
    fetch: (url: string, init: Parameters<typeof fetch>[1] = {}) => fetch(url, { ...init, dispatcher }),
    close: () => dispatcher.close(),
  };
}

/** The certificate-bound service's token: it authenticates with its certificate (tls_client_auth). */
export async function certificateBoundToken(client: ReturnType<typeof certificateClient>, stack: Pick<LocalStack, 'certificateBoundService' | 'tokenEndpoint'>): Promise<string> {
  const { clientId, scope } = stack.certificateBoundService;
  const response = await client.fetch(stack.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, scope }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || !body.access_token) throw new Error(`certificate-bound token request failed: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}
