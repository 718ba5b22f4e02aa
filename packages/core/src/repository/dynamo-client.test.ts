import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient, stackCachedClient } from './dynamo-client.js';

// A DynamoDB endpoint that accepts connections and never answers.
let requests = 0;
const sockets = new Set<Socket>();
const blackHole = createServer((socket) => {
  sockets.add(socket);
  socket.on('data', (chunk) => { requests += (chunk.toString('latin1').match(/^POST \/ HTTP\/1\.1/gm) ?? []).length; });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AUTH_ISSUER: 'https://issuer.test', AUTH_AUDIENCE: 'https://api.test', AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local',
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`,
  });
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => blackHole.close(() => resolve()));
});

describe('DynamoDB client', () => {
  it('is built once per container', () => {
    expect(dynamoClient()).toBe(dynamoClient());
  });

  it('gives up on an endpoint that never answers after a bounded number of attempts', async () => {
    await expect(dynamoClient().send(new ListTablesCommand({}))).rejects.toThrow(/timed? ?out/i);
    expect(requests).toBe(3);
  }, 20_000);

  it('appends through a client with the same connections and the same bounded attempts', async () => {
    expect(stackCachedClient()).toBe(stackCachedClient());
    expect(stackCachedClient().config.requestHandler).toBe(dynamoClient().config.requestHandler);
    requests = 0;
    await expect(stackCachedClient().send(new ListTablesCommand({}))).rejects.toThrow(/timed? ?out/i);
    expect(requests).toBe(3);
  }, 20_000);
});
