/**
 * Test harness for the health resource handlers: a real token issuer, DynamoDB Local with every
 * table, a fresh local key file, and each route's real handler module (found through the
 * manifest), called with API Gateway proxy events. Set up once per test file (one process).
 */
import type { RouteDefinition } from '@health-api/core';
import { tables } from '@health-api/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestDynamo } from '../../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../../test/support/dynamo.js';
import { lambdaContext, proxyEvent } from '../../../../test/support/events.js';
import { configureAuth } from '../../../../test/support/handler-env.js';
import type { TestIssuer } from '../../../../test/support/issuer.js';
import { startTestIssuer } from '../../../../test/support/issuer.js';
import { handlerModule } from '../routes.js';

const repositoryRoot = resolve(fileURLToPath(import.meta.url), '../../../../..');

type Handler = (event: ReturnType<typeof proxyEvent>, context: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyResult>;

export interface CallInput {
  params?: Record<string, string>;
  query?: Record<string, string | string[]>;
  /** `undefined` leaves a header out: the Idempotency-Key a create gets unless one is given, too. */
  headers?: Record<string, string | undefined>;
  /** A value to send as JSON, or a raw string sent as is. */
  body?: unknown;
  /** Bearer token; `null` sends none. */
  token?: string | null;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: <T = Record<string, unknown>>() => T;
}

export interface ApiHarness {
  issuer: TestIssuer;
  dynamo: TestDynamo;
  keyFile: string;
  /** A token with the given SMART scopes (and `patient` claim). */
  token: (scope: string, claims?: Record<string, unknown>) => Promise<string>;
  call: (route: RouteDefinition, input?: CallInput) => Promise<Answer>;
  resourceItems: () => Promise<Array<Record<string, unknown>>>;
  idempotencyItems: () => Promise<Array<Record<string, unknown>>>;
  auditItems: () => Promise<Array<Record<string, unknown>>>;
  close: () => Promise<void>;
}

export const SYSTEM_SCOPES = 'system/Patient.cruds system/Observation.cruds';

const definedOnly = (headers: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));

export async function startApiHarness(): Promise<ApiHarness> {
  const issuer = await startTestIssuer();
  const dynamo = await startTestDynamo();
  configureAuth(issuer);
  const keyFile = join(mkdtempSync(join(tmpdir(), 'health-api-state-')), 'keys', 'data-keys.json');
  process.env.LOCAL_DATA_KEY_FILE = keyFile;
  // Nor one EMF metrics line per request (packages/middleware/src/metrics tests what they hold).
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const handlers = new Map<string, Handler>();
  const handlerOf = async (route: RouteDefinition) => {
    let handler = handlers.get(route.id);
    if (!handler) {
      handler = ((await import(resolve(repositoryRoot, handlerModule(route)))) as { handler: Handler }).handler;
      handlers.set(route.id, handler);
    }
    return handler;
  };
  const defaultToken = await issuer.token({ scope: SYSTEM_SCOPES });
  const call: ApiHarness['call'] = async (route, input = {}) => {
    const token = input.token === undefined ? defaultToken : input.token;
    const body = input.body === undefined ? null : typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
    let path = route.path;
    for (const [name, value] of Object.entries(input.params ?? {})) path = path.replace(`{${name}}`, encodeURIComponent(value));
    const result = await (await handlerOf(route))(proxyEvent({
      method: route.method,
      path,
      resource: route.path,
      ...(input.params ? { pathParameters: input.params } : {}),
      ...(input.query ? { query: input.query } : {}),
      headers: definedOnly({
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== null ? { 'content-type': 'application/fhir+json' } : {}),
        // Creates get a key, as clients that retry safely send one (`'idempotency-key': undefined` leaves it out).
        ...(route.idempotency ? { 'idempotency-key': randomUUID() } : {}),
        ...input.headers,
      }),
      body,
    }), lambdaContext());
    return {
      status: result.statusCode,
      headers: (result.headers ?? {}) as Record<string, string>,
      body: result.body,
      json: <T>() => JSON.parse(result.body) as T,
    };
  };
  return {
    issuer,
    dynamo,
    keyFile,
    token: (scope, claims = {}) => issuer.token({ scope, ...claims }),
    call,
    resourceItems: () => dynamo.scan(tables.resources.name),
    idempotencyItems: () => dynamo.scan(tables.idempotency.name),
    auditItems: () => dynamo.scan(tables.audit.name),
    close: async () => {
      await issuer.close();
      await dynamo.close();
    },
  };
}

/** The error code of an OperationOutcome answer. */
export function outcomeCode(answer: Answer): string | undefined {
  const outcome = answer.json<{ resourceType: string; issue?: Array<{ details?: { coding?: Array<{ code: string }> } }> }>();
  return outcome.resourceType === 'OperationOutcome' ? outcome.issue?.[0]?.details?.coding?.[0]?.code : undefined;
}
