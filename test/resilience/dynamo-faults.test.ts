/**
 * DynamoDB faults over the local stack, injected for real through a proxy between the handlers
 * and DynamoDB Local: unreachable, throttling, stalled, and a crash between the writes of a create.
 * Each test asserts the answer (503/504 OperationOutcome, Retry-After), recovery without
 * restarting anything, and, by full table scans, that nothing was half-written or duplicated:
 * a create exists completely (resource, completed idempotency record, audit records) or not at all,
 * and no change is stored that no audit record names.
 */
import { operationOutcome } from '@health-api/core';
import type { ErrorCode } from '@health-api/core';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoCall, Fault } from './dynamo-fault-proxy.js';
import type { Answer, FaultStack, Item } from './fault-stack.js';
import { auditOf, patientBody, startFaultStack } from './fault-stack.js';

let env: FaultStack;
beforeAll(async () => { env = await startFaultStack(); });
afterEach(() => env.proxy.heal());
afterAll(async () => { await env?.close(); });

const create = (key: string, family: string) => env.call('POST', '/Patient', { body: patientBody(family), headers: { 'idempotency-key': key } });
const only = (operation: string, table: string, fault: Fault) => (call: DynamoCall) =>
  (call.operation === operation && call.table === table ? fault : undefined);

function expectRefusal(answer: Answer, status: number, code: ErrorCode, retryAfter: string | null) {
  expect([answer.status, answer.body]).toEqual([status, operationOutcome(code)]);
  expect(answer.headers.get('retry-after')).toBe(retryAfter);
  expect(answer.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
}

interface Snapshot { resources: Item[]; idempotency: Item[]; audit: Item[] }
const snapshot = async (): Promise<Snapshot> => ({
  resources: await env.scan('resources'), idempotency: await env.scan('idempotency'), audit: await env.scan('audit'),
});
const added = (before: Item[], after: Item[], key: string) => after.filter((a) => !before.some((b) => b[key] === a[key]));
const auditKey = (item: Item) => `${String(item.chain)}#${String(item.seq)}`;
const byTime = (a: Item, b: Item) => String(a.recordedSeq).localeCompare(String(b.recordedSeq));
/** Audit records written since `before`, oldest first. */
const addedAudit = (before: Item[], after: Item[]) => after.filter((a) => !before.some((b) => auditKey(b) === auditKey(a))).sort(byTime);
type AuditedEvent = { subtype: Array<{ code: string }>; outcome?: string; agent: Array<{ who: { identifier?: { value: string } } }> };
const eventOf = (record: Item) => record.event as AuditedEvent;
/** What the audit trail says of one interaction on a resource, in order: `intent` or the outcome code. */
const auditsOf = (records: Item[], id: string, interaction: string) =>
  auditOf(records, `Patient/${id}`).filter((r) => eventOf(r).subtype[0]?.code === interaction)
    .sort(byTime)
    .map((r) => eventOf(r).outcome ?? eventOf(r).subtype[1]?.code);
const createAudits = (records: Item[], id: string) => auditsOf(records, id, 'create');
const intents = (n: number) => Array<string>(n).fill('intent');

/**
 * The create exists completely: one resource, one completed idempotency record, and its audit
 * records: the intent record of each attempt that reached the write, then one success.
 */
async function expectCompleteCreate(before: Snapshot, answer: Answer, attemptsThatWrote = 1): Promise<string> {
  expect(answer.status).toBe(201);
  const id = String(answer.body?.id);
  const after = await snapshot();
  expect(added(before.resources, after.resources, 'pk').map((r) => r.id)).toEqual([id]);
  expect(added(before.idempotency, after.idempotency, 'id').map((r) => r.status)).toEqual(['COMPLETED']);
  expect(createAudits(after.audit, id)).toEqual([...intents(attemptsThatWrote), '0']);
  const read = await env.call('GET', `/Patient/${id}`);
  expect([read.status, read.body]).toEqual([200, answer.body]);
  return id;
}

describe('DynamoDB unreachable (connections refused)', () => {
  it('answers 503 with Retry-After, writes nothing, and serves the next request once DynamoDB is back', async () => {
    const before = await snapshot();
    const key = randomUUID();
    await env.proxy.stop();
    try {
      expectRefusal(await create(key, 'Unreachable'), 503, 'SERVICE_UNAVAILABLE', '1');
      expectRefusal(await env.call('GET', `/Patient/${randomUUID()}`), 503, 'SERVICE_UNAVAILABLE', '1');
      // What needs no storage keeps working.
      expect((await env.client.fetch(`${env.stack.baseUrl}/metadata`)).status).toBe(200);
    } finally {
      await env.proxy.start();
    }
    expect(await snapshot()).toEqual(before); // not a byte written, not even the lock
    await expectCompleteCreate(before, await create(key, 'Unreachable'));
  });
});

describe('DynamoDB throttling (ProvisionedThroughputExceededException)', () => {
  it('retries a bounded number of times, answers 503 with Retry-After, and recovers', async () => {
    const before = await snapshot();
    const key = randomUUID();
    const seen = env.proxy.calls.length;
    env.proxy.inject(() => ({ kind: 'throttle' }));
    expectRefusal(await create(key, 'Throttled'), 503, 'SERVICE_UNAVAILABLE', '1');
    // The SDK's standard strategy: three attempts at the lock, then it gives up.
    const attempts = env.proxy.calls.slice(seen).filter((c) => c.operation === 'PutItem' && c.table === 'Idempotency');
    expect(attempts).toHaveLength(3);
    env.proxy.heal();
    expect(await snapshot()).toEqual(before);
    await expectCompleteCreate(before, await create(key, 'Throttled'));
  });
});

describe('the resource write fails after the lock was taken', () => {
  it.each([
    ['throttled', { kind: 'throttle' }],
    // The SDK's request timeout (2 s, three attempts) ends it well inside the 10 s deadline.
    ['stalled', { kind: 'stall' }],
  ] as Array<[string, Fault]>)('%s: 503, nothing written, its own lock released, so the retry runs at once', { timeout: 30_000 }, async (name, fault) => {
    const before = await snapshot();
    const key = randomUUID();
    env.proxy.inject(only('PutItem', 'Resources', fault));
    expectRefusal(await create(key, name), 503, 'SERVICE_UNAVAILABLE', '1');
    const during = await snapshot();
    expect(during.resources).toEqual(before.resources);
    expect(during.idempotency).toEqual(before.idempotency); // the lock was deleted, not left behind
    // The attempted change was announced (intent), and the refusal is audited (outcome 8, no
    // resource), as every call to a health endpoint is.
    expect(addedAudit(before.audit, during.audit).map((r) => [eventOf(r).outcome ?? 'intent', r.entity]))
      .toEqual([['intent', expect.stringMatching(/^Patient\/[0-9a-f-]{36}$/)], ['8', 'Patient']]);
    env.proxy.heal();
    await expectCompleteCreate(before, await create(key, name), 2);
  });
});

describe('a slow DynamoDB', () => {
  it('added latency inside the SDK timeouts: slower, but every answer is right and complete', { timeout: 30_000 }, async () => {
    const before = await snapshot();
    env.proxy.inject(() => ({ kind: 'delay', ms: 300 }));
    await expectCompleteCreate(before, await create(randomUUID(), 'Latency'));
  });

  it('stalled past the Lambda deadline: 504 before the gateway timeout; the lock dies with the invocation', { timeout: 60_000 }, async () => {
    const before = await snapshot();
    const key = randomUUID();
    // The write stalls, and so does the release of the lock after it.
    env.proxy.inject((call) => (['Resources', 'Idempotency'].includes(call.table) && ['PutItem', 'DeleteItem'].includes(call.operation)
      && !(call.operation === 'PutItem' && call.table === 'Idempotency') ? { kind: 'stall' } : undefined));
    const sent = Date.now();
    const answer = await create(key, 'PastDeadline');
    expectRefusal(answer, 504, 'GATEWAY_TIMEOUT', null);
    expect(Date.now() - sent).toBeLessThan(29_000); // the handler's own deadline, not the gateway's
    const locks = added(before.idempotency, (await snapshot()).idempotency, 'id');
    expect(locks.map((l) => l.status)).toEqual(['INPROGRESS']);
    // The lock expires with the invocation (route timeout 10 s, counted from a moment after
    // `sent`), not with the 24 h result lifetime.
    expect(Number(locks[0]?.in_progress_expiration)).toBeLessThan(sent + 11_000);
    env.proxy.heal();
    const early = await create(key, 'PastDeadline');
    if (early.status === 409) {
      expectRefusal(early, 409, 'IDEMPOTENCY_IN_PROGRESS', '1');
      await sleep(Math.max(0, Number(locks[0]?.in_progress_expiration) - Date.now()) + 100);
      await expectCompleteCreate(before, await create(key, 'PastDeadline'), 2);
    } else {
      await expectCompleteCreate(before, early, 2);
    }
  });
});

describe('a crash between writing the record and completing the idempotency record', () => {
  it('the retry with the same Idempotency-Key finds the one record, never writes a second', { timeout: 40_000 }, async () => {
    const before = await snapshot();
    const key = randomUUID();
    // The resource is written; every attempt to mark the idempotency record complete is cut.
    env.proxy.inject(only('UpdateItem', 'Idempotency', { kind: 'reset' }));
    const sent = Date.now();
    expectRefusal(await create(key, 'Crashed'), 503, 'SERVICE_UNAVAILABLE', '1');
    env.proxy.heal();
    const during = await snapshot();
    const written = added(before.resources, during.resources, 'pk');
    expect(written).toHaveLength(1);
    const locks = added(before.idempotency, during.idempotency, 'id');
    expect(locks.map((l) => l.status)).toEqual(['INPROGRESS']);
    // The stored record is named by its intent record; there is no success: the client was told 503.
    expect(createAudits(during.audit, String(written[0]?.id))).toEqual(['intent']);

    // While the crashed request's lock lives (its invocation's deadline), retries are told to wait.
    expectRefusal(await create(key, 'Crashed'), 409, 'IDEMPOTENCY_IN_PROGRESS', '1');
    expect(Number(locks[0]?.in_progress_expiration)).toBeLessThan(sent + 11_000);
    await sleep(Math.max(0, Number(locks[0]?.in_progress_expiration) - Date.now()) + 100);

    const retried = await create(key, 'Crashed');
    const id = await expectCompleteCreate(before, retried, 2);
    expect(id).toBe(written[0]?.id);
    const replay = await create(key, 'Crashed');
    expect([replay.status, replay.body]).toEqual([201, retried.body]);
    expect(added(before.resources, (await snapshot()).resources, 'pk')).toHaveLength(1);
  });

  it('the same key with another body after such a crash is refused, and the first record stays', { timeout: 40_000 }, async () => {
    const before = await snapshot();
    const key = randomUUID();
    env.proxy.inject(only('UpdateItem', 'Idempotency', { kind: 'reset' }));
    expectRefusal(await create(key, 'First'), 503, 'SERVICE_UNAVAILABLE', '1');
    env.proxy.heal();
    const lock = added(before.idempotency, (await snapshot()).idempotency, 'id')[0];
    await sleep(Math.max(0, Number(lock?.in_progress_expiration) - Date.now()) + 100);
    expectRefusal(await create(key, 'Second'), 422, 'IDEMPOTENCY_KEY_REUSED', null);
    const after = await snapshot();
    expect(added(before.resources, after.resources, 'pk')).toHaveLength(1);
  });
});

/** Fails every audit write after the first `passing` ones, from now on. */
function auditWritesFailAfter(passing: number) {
  let seen = 0;
  env.proxy.inject((call) => (call.operation === 'PutItem' && call.table === 'Audit' && (seen += 1) > passing ? { kind: 'reset' } : undefined));
}

describe('the audit trail cannot be written', () => {
  it('before the change: 503 and nothing is written; the retry with the same key completes it', async () => {
    const before = await snapshot();
    const key = randomUUID();
    auditWritesFailAfter(0);
    expectRefusal(await create(key, 'Unannounced'), 503, 'SERVICE_UNAVAILABLE', '1');
    env.proxy.heal();
    expect(await snapshot()).toEqual(before); // no resource, no lock left, no audit record
    await expectCompleteCreate(before, await create(key, 'Unannounced'));
  });

  it('after the data write (outcome record lost): 503, the change is named by its intent record, the retry replays and completes it', async () => {
    const before = await snapshot();
    const key = randomUUID();
    auditWritesFailAfter(1);
    expectRefusal(await create(key, 'Unaudited'), 503, 'SERVICE_UNAVAILABLE', '1');
    env.proxy.heal();
    const during = await snapshot();
    const written = added(before.resources, during.resources, 'pk');
    expect(written).toHaveLength(1);
    expect(added(before.idempotency, during.idempotency, 'id').map((r) => r.status)).toEqual(['COMPLETED']);
    const [intent, ...rest] = addedAudit(before.audit, during.audit);
    expect(rest).toEqual([]);
    expect([intent?.entity, eventOf(intent as Item).subtype.map((c) => c.code), eventOf(intent as Item).agent[0]?.who.identifier?.value])
      .toEqual([`Patient/${String(written[0]?.id)}`, ['create', 'intent'], 'clinical']);

    const id = await expectCompleteCreate(before, await create(key, 'Unaudited'));
    expect(id).toBe(written[0]?.id);
  });

  it('an update and a delete whose outcome record is lost are still named by their intent records', async () => {
    const id = await expectCompleteCreate(await snapshot(), await create(randomUUID(), 'Changing'));
    const before = await snapshot();
    auditWritesFailAfter(1);
    const body = { ...patientBody('Changed'), id };
    expectRefusal(await env.call('PUT', `/Patient/${id}`, { body, headers: { 'if-match': 'W/"1"' } }), 503, 'SERVICE_UNAVAILABLE', '1');
    auditWritesFailAfter(1);
    expectRefusal(await env.call('DELETE', `/Patient/${id}`), 503, 'SERVICE_UNAVAILABLE', '1');
    env.proxy.heal();
    const after = await snapshot();
    // Both changes were made; neither has an outcome record, both have their intent record.
    expect(after.resources.find((r) => r.id === id && r.sk === 'resource')).toMatchObject({ version: 3, deleted: true });
    expect(addedAudit(before.audit, after.audit).map((r) => [r.entity, eventOf(r).subtype.map((c) => c.code)]))
      .toEqual([[`Patient/${id}`, ['update', 'intent']], [`Patient/${id}`, ['delete', 'intent']]]);
    expectRefusal(await env.call('GET', `/Patient/${id}`), 410, 'GONE', null);
  });
});
