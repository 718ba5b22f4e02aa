import { tables } from '@health-api/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDynamo } from '../../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../../test/support/dynamo.js';
import { dynamoReplayStore } from './replay-store.js';

let dynamo: TestDynamo;
beforeAll(async () => { dynamo = await startTestDynamo(); });
afterAll(() => dynamo?.close());

describe('the DPoP replay store (DynamoDB conditional put, in DynamoDB Local)', () => {
  it('takes a proof once, refuses it again, and keeps only a hash and an expiry', async () => {
    const store = dynamoReplayStore();
    const expiresAt = Math.floor(Date.now() / 1000) + 120;
    expect(await store.firstUse('thumbprint-a', 'jti-0001', expiresAt)).toBe(true);
    expect(await store.firstUse('thumbprint-a', 'jti-0001', expiresAt)).toBe(false);
    // The same jti under another key is another proof.
    expect(await store.firstUse('thumbprint-b', 'jti-0001', expiresAt)).toBe(true);
    const items = await dynamo.scan(tables.dpopProofs.name);
    expect(items).toHaveLength(2);
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(['expiresAt', 'proof']);
      expect(item.expiresAt).toBe(expiresAt);
      expect(JSON.stringify(item)).not.toMatch(/jti-0001|thumbprint/);
    }
  });

  it('lets a failure of the store reach the caller (which refuses the request)', async () => {
    await dynamo.close();
    await expect(dynamoReplayStore().firstUse('k', 'jti-0002', 1)).rejects.toBeInstanceOf(Error);
  });
});
