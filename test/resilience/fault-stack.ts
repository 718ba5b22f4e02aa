/**
 * The local stack with a fault proxy between the handlers and DynamoDB Local, a CA-trusting client,
 * and full scans of the tables straight from DynamoDB Local (past the proxy), so tests can prove
 * what was and was not written.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '@health-api/core';
import type { LocalStack, LocalStackOptions } from '@health-api/local';
import { startLocalStack } from '@health-api/local';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackClient } from '../local/stack-client.js';
import { clientCredentialsToken, stackClient } from '../local/stack-client.js';
import type { DynamoFaultProxy } from './dynamo-fault-proxy.js';
import { startDynamoFaultProxy } from './dynamo-fault-proxy.js';

export type Item = Record<string, unknown>;

export interface Answer {
  status: number;
  headers: Headers;
  /** The parsed body (`undefined` when empty). */
  body: Record<string, unknown> | undefined;
}

export interface FaultStack {
  stack: LocalStack;
  proxy: DynamoFaultProxy;
  client: StackClient;
  /** Calls the API (path after `/v1`) with the standard API key and the clinical token. */
  call: (method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }) => Promise<Answer>;
  scan: (table: keyof typeof tables) => Promise<Item[]>;
  close: () => Promise<void>;
}

export const patientBody = (family: string) => ({
  resourceType: 'Patient', name: [{ use: 'official', family, given: ['Aroha'] }], birthDate: '1984-03-17', gender: 'female',
});

/** Audit records of one resource: the hash-chained records whose entity is `Patient/<id>`. */
export const auditOf = (records: Item[], reference: string) => records.filter((r) => r.entity === reference);

/** Every item of a table, read consistently, page by page. */
export async function scanTable(documents: DynamoDBDocumentClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: table, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * The stack with the proxy in front of DynamoDB Local; `proxyPort` puts the proxy where an earlier
 * stack's was, so handlers loaded by that stack (they read the endpoint once) reach this one.
 */
export async function startFaultStack(options: LocalStackOptions = {}, proxyPort = 0): Promise<FaultStack> {
  let proxy: DynamoFaultProxy | undefined;
  const stack = await startLocalStack({
    gatewayPort: 0,
    issuerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'resilience-')),
    log: () => undefined,
    ...options,
    interposeDynamo: async (endpoint) => (proxy = await startDynamoFaultProxy(endpoint, proxyPort)),
  });
  const client = stackClient(stack);
  const token = await clientCredentialsToken(client, stack, 'clinical');
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({
    endpoint: stack.dynamoEndpoint, region: 'local', credentials: stack.dynamoCredentials,
  }));
  return {
    stack,
    proxy: proxy as DynamoFaultProxy,
    client,
    call: async (method, path, { body, headers = {} } = {}) => {
      const response = await client.fetch(`${stack.baseUrl}${path}`, {
        method,
        headers: {
          'x-api-key': stack.apiKeys.standard as string, authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/fhir+json' }), ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
    },
    scan: (table) => scanTable(documents, tables[table].name),
    close: async () => {
      await client.close();
      documents.destroy();
      await stack.close();
    },
  };
}
