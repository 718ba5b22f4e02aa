import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { tables } from '@health-api/core';
import { dynamoClient } from '@health-api/core/data';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDynamo } from '../../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../../test/support/dynamo.js';
import { LockOwningPersistenceLayer, OWNER_ATTRIBUTE } from './lock-owning-persistence.js';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startTestDynamo();
  process.env.AUTH_ISSUER = 'https://issuer.test';
  process.env.AUTH_AUDIENCE = 'https://api.test';
});
afterAll(() => dynamo.close());

const configured = <T extends LockOwningPersistenceLayer>(store: T) => {
  store.configure({ config: new IdempotencyConfig({ eventKeyJmesPath: 'key' }), keyPrefix: 'lock-test' });
  return store;
};
const layer = () => configured(new LockOwningPersistenceLayer({ tableName: tables.idempotency.name, client: dynamoClient() }));
const newData = async () => {
  const before = new Set((await dynamo.scan(tables.idempotency.name)).map((r) => String(r.id)));
  return { data: { key: crypto.randomUUID() }, before };
};
/** The records added since `before`: the one record of a fresh key. */
const recordSince = async (before: Set<string>) => (await dynamo.scan(tables.idempotency.name)).filter((r) => !before.has(String(r.id)));
const expire = () => new Promise((resolve) => setTimeout(resolve, 20));
/** A fresh key whose first (`stale`) lock expired and was granted to `current`. */
const takenOver = async () => {
  const { data, before } = await newData();
  const stale = layer();
  await stale.saveInProgress(data, 1);
  await expire();
  const current = layer();
  await current.saveInProgress(data, 60_000);
  return { data, before, stale, current };
};

describe('LockOwningPersistenceLayer', () => {
  it('takes a lock with a random owner token, written by the conditional put; a later lock of the same key gets another', async () => {
    const { data, before } = await newData();
    await layer().saveInProgress(data, 1);
    const [first] = await recordSince(before);
    await expire();
    await layer().saveInProgress(data, 60_000);
    const [second] = await recordSince(before);
    expect(first?.[OWNER_ATTRIBUTE]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(second?.[OWNER_ATTRIBUTE]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(second?.[OWNER_ATTRIBUTE]).not.toBe(first?.[OWNER_ATTRIBUTE]);
  });

  it('never deletes a lock it did not write, even after its own lock expired and another took over', async () => {
    const { data, before, stale, current } = await takenOver();
    await stale.deleteRecord(data);
    await layer().deleteRecord(data); // a layer that never took the lock deletes nothing either
    expect(await recordSince(before)).toMatchObject([{ status: 'INPROGRESS' }]);
    await current.deleteRecord(data);
    expect(await recordSince(before)).toEqual([]);
  });

  it('never stores its result over a lock that expired and passed to another request', async () => {
    const { data, before, stale, current } = await takenOver();
    const [held] = await recordSince(before);
    await stale.saveSuccess(data, { sealed: 'stale' });
    expect(await recordSince(before)).toEqual([held]);
    await current.saveSuccess(data, { sealed: 'current' });
    const [done] = await recordSince(before);
    expect(done).toMatchObject({ status: 'COMPLETED', data: { sealed: 'current' } });
    expect(done).not.toHaveProperty(OWNER_ATTRIBUTE);
  });

  it('releases its own lock though the lock has no in-progress expiry (no Lambda context): the token, not a timestamp, proves it is its own', async () => {
    const { data, before } = await newData();
    const own = layer();
    const warn = console.warn;
    console.warn = () => undefined; // Powertools warns that it has no remaining time
    try {
      await own.saveInProgress(data);
    } finally {
      console.warn = warn;
    }
    expect(await recordSince(before)).toHaveLength(1);
    await own.deleteRecord(data);
    expect(await recordSince(before)).toEqual([]);
  });
});

describe('the pinned Powertools idempotency', () => {
  const pin = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> })
    .dependencies['@aws-lambda-powertools/idempotency'];
  const installed = (JSON.parse(readFileSync(new URL('../../../../node_modules/@aws-lambda-powertools/idempotency/package.json', import.meta.url), 'utf8')) as { version: string }).version;

  it('is installed at exactly the version package.json pins', () => {
    expect(pin).toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed).toBe(pin);
  });

  it('calls the hooks the layer overrides: _putRecord from saveInProgress, _updateRecord from saveSuccess, _deleteRecord from deleteRecord', async () => {
    class Recording extends LockOwningPersistenceLayer {
      readonly hooks: string[] = [];
      protected override _putRecord(record: IdempotencyRecord) { this.hooks.push('put'); return super._putRecord(record); }
      protected override _updateRecord(record: IdempotencyRecord) { this.hooks.push('update'); return super._updateRecord(record); }
      protected override _deleteRecord(record: IdempotencyRecord) { this.hooks.push('delete'); return super._deleteRecord(record); }
    }
    const recording = () => configured(new Recording({ tableName: tables.idempotency.name, client: dynamoClient() }));
    const completed = recording();
    const { data: done } = await newData();
    await completed.saveInProgress(done, 60_000);
    await completed.saveSuccess(done, { sealed: 'x' });
    const failed = recording();
    const { data: failing } = await newData();
    await failed.saveInProgress(failing, 60_000);
    await failed.deleteRecord(failing);
    expect([completed.hooks, failed.hooks]).toEqual([['put', 'update'], ['put', 'delete']]);
  });
});
