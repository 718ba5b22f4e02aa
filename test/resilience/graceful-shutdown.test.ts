/**
 * Graceful shutdown of the local stack (what `npm start` does on Ctrl-C / SIGTERM): a request
 * in flight is answered in full, new connections are refused, and with a data directory
 * (`--data`) everything written reads back through the API after a restart.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackClient } from '../local/stack-client.js';
import type { FaultStack } from './fault-stack.js';
import { patientBody, startFaultStack } from './fault-stack.js';

const stateDir = mkdtempSync(join(tmpdir(), 'resilience-state-'));
const dataDir = mkdtempSync(join(tmpdir(), 'resilience-data-'));
let env: FaultStack;
beforeAll(async () => { env = await startFaultStack({ stateDir, dataDir }); });
afterAll(async () => { await env?.close(); });

const portOf = (url: string) => Number(new URL(url).port);
const create = (family: string) => env.call('POST', '/Patient', { body: patientBody(family), headers: { 'idempotency-key': randomUUID() } });

describe('graceful shutdown', () => {
  it('answers the request in flight, refuses new connections, and reads everything back after a restart on the same --data directory', { timeout: 60_000 }, async () => {
    const before = await create('BeforeShutdown');
    expect(before.status).toBe(201);

    // Every DynamoDB call now takes a while, so the next create is still running when the stop begins.
    env.proxy.inject(() => ({ kind: 'delay', ms: 500 }));
    const seen = env.proxy.calls.length;
    const inFlight = create('InFlight');
    while (env.proxy.calls.length === seen) await sleep(20); // the handler has started its writes
    const stopping = env.stack.close();

    const newcomer = stackClient(env.stack);
    try {
      const refused = await newcomer.fetch(`${env.stack.baseUrl}/metadata`).then(() => undefined, (error: Error) => error);
      expect((refused?.cause as NodeJS.ErrnoException | undefined)?.code).toBe('ECONNREFUSED');
    } finally {
      await newcomer.close();
    }
    const answered = await inFlight;
    expect(answered.status).toBe(201);
    expect(answered.headers.get('connection')).toBe('close');
    await stopping;

    // Started again on the same state and data directories (and ports, as `npm start` uses):
    // both creates read back through the API, identical, each with its idempotency and audit records.
    const ports = { gatewayPort: portOf(env.stack.baseUrl), issuerPort: portOf(env.stack.issuer) };
    const proxyPort = portOf(env.proxy.endpoint);
    await env.close();
    env = await startFaultStack({ stateDir, dataDir, ...ports }, proxyPort);
    for (const created of [before, answered]) {
      const read = await env.call('GET', `/Patient/${String(created.body?.id)}`);
      expect([read.status, read.body]).toEqual([200, created.body]);
    }
    expect((await env.scan('idempotency')).map((item) => item.status)).toEqual(['COMPLETED', 'COMPLETED']);
    const audited = (await env.scan('audit')).map((item) => item.entity);
    for (const created of [before, answered]) expect(audited).toContain(`Patient/${String(created.body?.id)}`);
  });
});
