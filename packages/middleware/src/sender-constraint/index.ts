import type { RouteDefinition, SenderConstraint } from '@health-api/core';
import { ApiError, config } from '@health-api/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { baseUrlOf } from '../base-url.js';
import { headerValues } from '../request-state.js';
import { certificateThumbprint } from './certificate-binding.js';
import { DPOP_ALGORITHMS, PROOF_MAX_AGE_SECONDS, ProofRejected } from './dpop-rules.js';
import type { ReplayStore } from './replay-store.js';

/**
 * Sender-constrained tokens: a stolen token is no use without the key or certificate it is
 * bound to. What a route needs is its stage's `AUTH_SENDER_CONSTRAINT` plus what the route
 * manifest demands; whatever the configuration, a token that *is* bound (`cnf`) is only accepted
 * with its proof, so a bound token never degrades to a bearer token.
 */

export type Scheme = 'bearer' | 'dpop';
type Constraint = Exclude<SenderConstraint, 'none'>;
/** Kept past a proof's last accepted second, for clocks that disagree a little. */
const REPLAY_MARGIN_SECONDS = 60;

/** The constraints a route's tokens must meet: the stage's and the route's own. */
export function requiredConstraints(route: Pick<RouteDefinition, 'senderConstraint'>, stage: SenderConstraint): ReadonlySet<Constraint> {
  return new Set([stage, route.senderConstraint].filter((c): c is Constraint => c !== undefined && c !== 'none'));
}

/** RFC 9449 section 7.1: the challenge of a DPoP resource, with the algorithms it takes. */
const dpopChallenge = (error?: string) => `DPoP ${error ? `error="${error}", ` : ''}algs="${DPOP_ALGORITHMS.join(' ')}"`;

/** The headers of a 401 on a route or for a token where DPoP is expected: the DPoP challenge instead of Bearer's. */
export function challengeFor(expectsDpop: boolean, error?: 'invalid_token' | 'invalid_dpop_proof'): Record<string, string> {
  return expectsDpop ? { 'WWW-Authenticate': dpopChallenge(error) } : {};
}

export interface BindingInput {
  event: APIGatewayProxyEvent;
  scheme: Scheme;
  token: string;
  payload: Record<string, unknown>;
  required: ReadonlySet<Constraint>;
  replay: () => Promise<ReplayStore>;
}

function confirmation(payload: Record<string, unknown>): { jkt?: string; x5t?: string } {
  const cnf = payload.cnf;
  if (cnf === undefined) return {};
  if (typeof cnf !== 'object' || cnf === null) return { jkt: '', x5t: '' }; // unreadable: bound to nothing we can prove
  const { jkt, 'x5t#S256': x5t } = cnf as Record<string, unknown>;
  return {
    ...(jkt !== undefined ? { jkt: typeof jkt === 'string' ? jkt : '' } : {}),
    ...(x5t !== undefined ? { x5t: typeof x5t === 'string' ? x5t : '' } : {}),
  };
}

const invalidToken = (reason: string, expectsDpop: boolean) =>
  new ApiError('INVALID_TOKEN', { reason, headers: challengeFor(expectsDpop, 'invalid_token') });
const invalidProof = (reason: string) =>
  new ApiError('INVALID_DPOP_PROOF', { reason, headers: challengeFor(true, 'invalid_dpop_proof') });

/** The full URL the proof must name, from the gateway's request context. */
const requestUrl = (event: APIGatewayProxyEvent): string => {
  const base = baseUrlOf(event);
  return base === '' ? '' : `${base}${event.path}`;
};

async function checkDpop(input: BindingInput, jkt: string): Promise<void> {
  const proofs = headerValues(input.event, 'dpop');
  if (proofs.length === 0) throw invalidProof('no-proof');
  if (proofs.length > 1) throw invalidProof('proof-repeated');
  let proof;
  try {
    // jose loads with the first proof: a stage or route without DPoP never loads it.
    const { verifyDpopProof } = await import('./dpop-proof.js');
    proof = await verifyDpopProof(proofs[0] as string, { method: input.event.httpMethod, url: requestUrl(input.event), accessToken: input.token });
  } catch (error) {
    if (error instanceof ProofRejected) throw invalidProof(error.reason);
    throw error;
  }
  if (proof.jkt !== jkt) throw invalidToken('jkt-mismatch', true);
  // Last, so only a proof good in every other way takes a place in the store. A store that
  // cannot answer refuses the request (fail closed), as a retryable 503.
  let fresh: boolean;
  try {
    fresh = await (await input.replay()).firstUse(proof.jkt, proof.jti, proof.iat + PROOF_MAX_AGE_SECONDS + REPLAY_MARGIN_SECONDS);
  } catch (cause) {
    throw new ApiError('SERVICE_UNAVAILABLE', { reason: 'dependency-dpop-replay-store', headers: { 'Retry-After': '1' }, cause });
  }
  if (!fresh) throw invalidProof('proof-replayed');
}

function checkCertificate(input: BindingInput, x5t: string, expectsDpop: boolean): void {
  const pem = input.event.requestContext?.identity?.clientCert?.clientCertPem;
  const presented = typeof pem === 'string' ? certificateThumbprint(pem) : undefined;
  if (presented === undefined) throw invalidToken('no-client-certificate', expectsDpop);
  if (presented !== x5t) throw invalidToken('certificate-mismatch', expectsDpop);
}

/**
 * Checks the proof of possession the token and the route call for; throws the 401 to answer.
 * The DPoP scheme goes with DPoP-bound tokens only (RFC 9449 section 7.1), and a DPoP-bound
 * token never with the Bearer scheme.
 */
export async function checkSenderConstraint(input: BindingInput): Promise<void> {
  const { jkt, x5t } = confirmation(input.payload);
  const expectsDpop = input.scheme === 'dpop' || jkt !== undefined || input.required.has('dpop');
  if (jkt === undefined && input.scheme === 'dpop') throw invalidToken('dpop-scheme-unbound-token', true);
  if (jkt === undefined && input.required.has('dpop')) throw invalidToken('token-not-dpop-bound', true);
  if (jkt !== undefined && input.scheme !== 'dpop') throw invalidToken('bound-token-as-bearer', true);
  if (x5t === undefined && input.required.has('mtls')) throw invalidToken('token-not-certificate-bound', expectsDpop);
  // The certificate before the proof: a request refused for its certificate uses up no proof.
  if (x5t !== undefined) checkCertificate(input, x5t, expectsDpop);
  if (jkt !== undefined) await checkDpop(input, jkt);
}

/** Where the stage's constraint and the replay store come from; tests give their own. */
export interface SenderBinding {
  stage: () => SenderConstraint;
  replay: () => Promise<ReplayStore>;
}

let sharedStore: Promise<ReplayStore> | undefined;

/** The stage's configuration and the DynamoDB replay store (loaded on the first DPoP proof). */
export const stageBinding: SenderBinding = {
  stage: () => config().auth.senderConstraint,
  replay: () => (sharedStore ??= import('./replay-store.js').then((m) => m.dynamoReplayStore())),
};
