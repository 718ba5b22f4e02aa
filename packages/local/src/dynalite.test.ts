import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { tableList } from '@health-api/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalDynamo } from './dynalite.js';
import { createTables, startDynalite } from './dynalite.js';

let dynamo: LocalDynamo;
beforeAll(async () => { dynamo = await startDynalite(); });
afterAll(() => dynamo.close());

it('creates every table of the table definitions, idempotently', async () => {
  await createTables(dynamo.client);
  const { TableNames } = await dynamo.client.send(new ListTablesCommand({}));
  expect(TableNames?.sort()).toEqual(tableList.map((t) => t.name).sort());
});
