import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { tableList } from '@health-api/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalDynamo } from './local-dynamodb.js';
import { createTables, startLocalDynamo } from './local-dynamodb.js';

let dynamo: LocalDynamo;
beforeAll(async () => { dynamo = await startLocalDynamo(); });
afterAll(() => dynamo.close());

it('creates every table of the table definitions, idempotently', async () => {
  await createTables(dynamo.client);
  const { TableNames } = await dynamo.client.send(new ListTablesCommand({}));
  expect(TableNames?.sort()).toEqual(tableList.map((t) => t.name).sort());
});
