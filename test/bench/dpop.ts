/**
 * What a DPoP proof costs per request (RFC 9449), against the plain bearer chain in the same
 * run: the same route and business function, a token the verifier has cached (so neither side
 * pays a token signature check), and on the DPoP side a fresh proof per request, verified with
 * jose and recorded once in the DynamoDB replay table (the runner's DynamoDB Local, in its own
 * process as DynamoDB is outside the function). Proofs are made before timing starts.
 */
import type { RouteDefinition } from '@health-api/core';
import { secureHandler } from '@health-api/middleware';
import { fileURLToPath } from 'node:url';
import { verifyDpopProof } from '../../packages/middleware/src/sender-constraint/dpop-proof.js';
import { dynamoReplayStore } from '../../packages/middleware/src/sender-constraint/replay-store.js';
import { dpopClient } from '../support/dpop.js';
import { startTestDynamo } from '../support/dynamo.js';
import { lambdaContext } from '../support/events.js';
import { configureAuth } from '../support/handler-env.js';
import { startTestIssuer } from '../support/issuer.js';
import { business, route, unauditedRoute, validators } from './business.js';
import { runNode } from './child.js';
import { routeEvent, scopeFor } from './events.js';
import { nullLogSink } from './log-sink.js';
import type { BenchSizes } from './sizes.js';
import type { Latency } from './stats.js';
import { round } from './stats.js';
import { expectOk, timeInRounds } from './rounds.js';

export interface DpopResult {
  route: string;
  bearer: Latency;
  dpop: Latency;
  /** jose's check of one proof (signature, claims, thumbprint), without the chain or the replay store. */
  proofAlone: Latency;
  /** One conditional put into the replay table (DynamoDB Local here; DynamoDB in AWS), without the chain. */
  replayPutAlone: Latency;
  /** DPoP chain minus bearer chain, µs. */
  extraUs: { p50: number; p99: number };
  ratio: { p50: number; p99: number };
}

/** Where test/support/events.ts says its events were received. */
const URL_BASE = 'https://api.example.test/test';

/** The section, run in a child process with the runner's DynamoDB Local in its environment. */
export async function dpopBench(sizes: BenchSizes): Promise<DpopResult> {
  const issuer = await startTestIssuer();
  try {
    configureAuth(issuer, { AUTH_SENDER_CONSTRAINT: 'none' });
    const bearerHandler = secureHandler<typeof route>(unauditedRoute as typeof route, business, validators);
    const dpopRoute: RouteDefinition = { ...unauditedRoute, senderConstraint: 'dpop' };
    const dpopHandler = secureHandler<typeof route>(dpopRoute as typeof route, business, validators);
    const context = lambdaContext(3_600_000);
    const scope = scopeFor(route);
    const client = await dpopClient();
    const bearerToken = await issuer.token({ scope });
    const boundToken = await issuer.token({ scope, cnf: { jkt: client.jkt } });
    const sample = routeEvent(route, boundToken);
    const url = `${URL_BASE}${sample.path}`;
    // Every request needs a proof never seen before; more than the timed rounds can use.
    const proofs = await Promise.all(Array.from({ length: sizes.pipelineIterations * 10 }, () => client.proof({ method: route.method, url, accessToken: boundToken })));
    let next = 0;
    const dpopEvent = () => {
      const proof = proofs[next++];
      if (proof === undefined) throw new Error('the bench ran out of DPoP proofs: make more');
      const event = routeEvent(route, boundToken);
      event.headers.Authorization = `DPoP ${boundToken}`;
      event.headers.DPoP = proof;
      event.multiValueHeaders = Object.fromEntries(Object.entries(event.headers).map(([k, v]) => [k, [v as string]]));
      return event;
    };
    const spare = await client.proof({ method: route.method, url, accessToken: boundToken });
    const store = dynamoReplayStore();
    let puts = 0;

    const sink = nullLogSink();
    try {
      expectOk(await bearerHandler(routeEvent(route, bearerToken), context), 'bearer chain');
      expectOk(await dpopHandler(dpopEvent(), context), 'DPoP chain');
      const latency = await timeInRounds(sizes, {
        'bearer chain': async () => expectOk(await bearerHandler(routeEvent(route, bearerToken), context), 'bearer chain'),
        'DPoP chain': async () => expectOk(await dpopHandler(dpopEvent(), context), 'DPoP chain'),
        'proof alone': () => verifyDpopProof(spare, { method: route.method, url, accessToken: boundToken }),
        'replay put alone': async () => { await store.firstUse(client.jkt, `bench-put-${puts++}`, Math.floor(Date.now() / 1000) + 120); },
      });
      const bearer = latency('bearer chain');
      const dpop = latency('DPoP chain');
      return {
        route: `${route.method} ${route.path}`,
        bearer, dpop, proofAlone: latency('proof alone'), replayPutAlone: latency('replay put alone'),
        extraUs: { p50: round(dpop.p50Us - bearer.p50Us), p99: round(dpop.p99Us - bearer.p99Us) },
        ratio: { p50: round(dpop.p50Us / bearer.p50Us, 2), p99: round(dpop.p99Us / bearer.p99Us, 2) },
      };
    } finally {
      sink.restore();
    }
  } finally {
    await issuer.close();
  }
}

const SECTION = fileURLToPath(new URL('./section.ts', import.meta.url));

/** The section in its own node process, with a DynamoDB Local database of its own for the replay table. */
export async function runDpopBench(mode: 'full' | 'smoke'): Promise<DpopResult> {
  const dynamo = await startTestDynamo();
  try {
    const run = await runNode(['--expose-gc', '--import', 'tsx', SECTION, 'dpop', mode], { env: process.env, timeoutMs: 120_000 });
    return JSON.parse(run.result) as DpopResult;
  } finally {
    await dynamo.close();
  }
}

const us = (value: number) => `${value.toFixed(1)} µs`;

export function dpopMarkdown(r: DpopResult): string {
  return [
    `### DPoP proof per request (${r.route}, µs; cached token on both sides)`,
    '',
    '| variant | p50 | p99 |',
    '|---|---:|---:|',
    `| bearer chain | ${us(r.bearer.p50Us)} | ${us(r.bearer.p99Us)} |`,
    `| DPoP chain (proof checked, replay table put in DynamoDB Local) | ${us(r.dpop.p50Us)} | ${us(r.dpop.p99Us)} |`,
    `| proof check alone (jose) | ${us(r.proofAlone.p50Us)} | ${us(r.proofAlone.p99Us)} |`,
    `| replay-table put alone (DynamoDB Local) | ${us(r.replayPutAlone.p50Us)} | ${us(r.replayPutAlone.p99Us)} |`,
    '',
    `A DPoP proof adds ${us(r.extraUs.p50)} p50 / ${us(r.extraUs.p99)} p99 (${r.ratio.p50}× / ${r.ratio.p99}× the bearer chain).`,
    '',
  ].join('\n');
}
