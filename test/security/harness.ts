/**
 * The attack suite's harness: one local stack per test file (the handlers read their
 * configuration once per process), HTTPS clients that trust its CA only, forged tokens signed
 * with the stack issuer's own key (so a token fails only for the property under attack), raw
 * snapshots of the tables, and the captured logs of the process and the gateway.
 *
 * `expectRefused` is the one assertion every attack ends with: exact status and error code,
 * the store unchanged, the audit trail grown only when a handler answered, no secret in a log.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { ErrorCode, RouteDefinition } from '@health-api/core';
import { ERROR_CODE_SYSTEM, NHI_SYSTEM, tables } from '@health-api/core';
import type { GatewayConfigOverrides, ListeningServer, LocalStack, LocalStackOptions, RouteBinding } from '@health-api/local';
import { gatewaySettings, listenHttps, serveGateway, startLocalStack } from '@health-api/local';
import type { ServerOptions } from 'node:https';
import { request } from 'node:https';
import type { JWK, JWTHeaderParameters, JWTPayload } from 'jose';
import { SignJWT, importJWK } from 'jose';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { generatedExamples } from '../../packages/functions/src/testing/resource-examples.js';
import type { StackClient } from '../local/stack-client.js';
import { accessLog, clientCredentialsToken, stackClient } from '../local/stack-client.js';
import { captureLogs } from '../support/logs.js';

export type Response = Awaited<ReturnType<StackClient['fetch']>>;
type Item = Record<string, unknown>;

/** A valid Patient whose NHI and names must never reach a log. */
export const PATIENT_NHI = 'ZAC5361';
export const PATIENT_FAMILY = 'Testfamilia';
export const PATIENT_GIVEN = 'Hinewai';
export const patientBody = () => ({
  resourceType: 'Patient',
  identifier: [{ use: 'official', system: NHI_SYSTEM, value: PATIENT_NHI }],
  name: [{ use: 'official', family: PATIENT_FAMILY, given: [PATIENT_GIVEN] }],
  birthDate: '1984-03-17',
  gender: 'female',
  telecom: [{ system: 'phone', value: '+64 21 555 0199', use: 'mobile' }],
  address: [{ line: ['12 Karaka Street'], city: 'Rotorua', postalCode: '3010', country: 'NZ' }],
});
export const observationBody = (patientId: string) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
  subject: { reference: `Patient/${patientId}` },
  effectiveDateTime: '2024-05-01T10:00:00+12:00',
  valueQuantity: { value: 72, unit: 'beats/min', system: 'http://unitsofmeasure.org', code: '/min' },
});

const SMART_SCOPE = /^(patient|user|system)\/([A-Za-z]+|\*)\.([cruds]+)$/;

/** A SMART v2 scope's parts, or undefined for anything else. */
export function parseScope(scope: string): { context: string; type: string; letters: string } | undefined {
  const match = SMART_SCOPE.exec(scope);
  return match ? { context: match[1] as string, type: match[2] as string, letters: match[3] as string } : undefined;
}

/** Whether any of `scopes` grants `route` in `context` (public routes need none; a wildcard never reaches AuditEvent). */
export function scopesReach(scopes: readonly string[], route: RouteDefinition, context = 'system'): boolean {
  const needed = route.scope;
  if (!needed) return true;
  return scopes.map(parseScope).some((scope) => scope?.context === context
    && (scope.type === needed.resourceType || (scope.type === '*' && needed.resourceType !== 'AuditEvent')) && scope.letters.includes(needed.permission));
}

/** The search parameters a search route needs to answer at all (its handler, not its schema, requires them). */
export function requiredSearch(route: RouteDefinition, target: { patientId: string }): Record<string, string> {
  switch (route.resourceType) {
    case 'Patient': return { identifier: `${NHI_SYSTEM}|${PATIENT_NHI}` };
    case 'AuditEvent': return { date: new Date().toISOString().slice(0, 10) };
    // Observations and generated resources are searched within one patient's compartment.
    default: return route.schemas.query && 'patient' in route.schemas.query ? { patient: target.patientId } : {};
  }
}

export interface SecurityStack {
  stack: LocalStack;
  client: StackClient;
  stateDir: string;
  /** The gateway's access log and everything the process wrote to stdout and stderr. */
  log: ReturnType<typeof accessLog>;
  logs: ReturnType<typeof captureLogs>;
  /** A real token of a system client, from the issuer's token endpoint. */
  token: (name: keyof LocalStack['clients'], scope?: string) => Promise<string>;
  /** A real token of the first system client whose scopes reach `route`. */
  tokenFor: (route: RouteDefinition) => Promise<string>;
  /** A token signed with the issuer's own key, as the issuer would mint it, claim by claim overridable. */
  forge: (claims?: JWTPayload, header?: Partial<JWTHeaderParameters>) => Promise<string>;
  scan: (table: string) => Promise<Item[]>;
  snapshot: () => Promise<StoreSnapshot>;
  /** `fetch` to a path under the API base (`/Patient/…`), with the standard API key and, on a POST, a fresh Idempotency-Key unless given. */
  call: (path: string, init?: CallInit) => Promise<Response>;
  /** Creates a Patient, an Observation of it and one of each generated resource type (ids by type) with the clinical client. */
  seedPatient: () => Promise<{ patientId: string; observationId: string; ids: Record<string, string> }>;
  /** Another gateway in front of the same handlers (the stack's unless `routes`), with its own limits, keys or server options. */
  extraGateway: (options?: ExtraGatewayOptions) => Promise<{ baseUrl: string; port: number }>;
  /** Every secret that must stay out of the logs: tokens given, API keys, client secrets, NHI, names. */
  secrets: () => string[];
  remember: (...secret: string[]) => void;
  close: () => Promise<void>;
}

export interface ExtraGatewayOptions {
  config?: GatewayConfigOverrides;
  apiKeys?: LocalStack['parts']['apiKeyStore'];
  routes?: readonly RouteBinding[];
  server?: ServerOptions;
}

export interface CallInit {
  method?: string;
  /** `undefined` leaves a header out (the API key and Idempotency-Key included). */
  headers?: Record<string, string | undefined>;
  body?: string | Buffer;
  /** Base URL of another gateway in front of the same stack. */
  baseUrl?: string;
}

export interface StoreSnapshot {
  resources: Item[];
  idempotency: Item[];
  auditCount: number;
}

const byKey = (items: Item[]) => [...items].sort((a, b) => JSON.stringify([a.pk, a.sk, a.id]).localeCompare(JSON.stringify([b.pk, b.sk, b.id])));

export async function startSecurityStack(options: LocalStackOptions = {}): Promise<SecurityStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'security-'));
  const log = accessLog();
  const stack = await startLocalStack({ gatewayPort: 0, issuerPort: 0, stateDir, log: log.sink, ...options });
  const client = stackClient(stack);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'local', credentials: stack.dynamoCredentials }));
  const [signingJwk] = (JSON.parse(readFileSync(join(stateDir, 'issuer', 'signing-keys.json'), 'utf8')) as { keys: Array<JWK & { kid: string }> }).keys;
  if (!signingJwk) throw new Error('the issuer has no signing key');
  const signingKey = await importJWK(signingJwk, 'ES256');
  const given = new Set<string>();
  const logs = captureLogs();
  const extraServers: ListeningServer[] = [];
  const extraGateway: SecurityStack['extraGateway'] = async (options = {}) => {
    const listening = await listenHttps(stack.parts.tls, 0, options.server);
    extraServers.push(listening);
    const { baseUrl } = serveGateway(listening, {
      routes: options.routes ?? stack.parts.routes, apiKeys: options.apiKeys ?? stack.parts.apiKeyStore,
      config: gatewaySettings(options.config), log: log.sink,
    });
    return { baseUrl, port: listening.port };
  };

  const scan = async (table: string) => {
    const items: Item[] = [];
    for await (const page of paginateScan({ client: documents }, { TableName: table })) items.push(...(page.Items ?? []));
    return items;
  };
  const token: SecurityStack['token'] = async (name, scope) => {
    const value = await clientCredentialsToken(client, stack, name, scope);
    given.add(value);
    return value;
  };
  const tokenFor: SecurityStack['tokenFor'] = (route) => {
    const names = Object.keys(stack.clients) as Array<keyof LocalStack['clients']>;
    const name = names.find((n) => scopesReach(stack.clients[n].scope.split(' '), route));
    if (!name) throw new Error(`no local client may call ${route.id}`);
    return token(name);
  };
  const forge: SecurityStack['forge'] = async (claims = {}, header = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = {
      iss: stack.issuer, aud: stack.audience, sub: 'clinical', client_id: 'clinical', jti: crypto.randomUUID(),
      iat: now, exp: now + 600, scope: stack.clients.clinical.scope, ...claims,
    };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
    const signed = await new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: signingJwk.kid, ...header }).sign(signingKey);
    given.add(signed);
    return signed;
  };
  const call: SecurityStack['call'] = (path, init = {}) => client.fetch(`${init.baseUrl ?? stack.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: Object.fromEntries(Object.entries({
      'x-api-key': stack.apiKeys.standard, ...(init.body !== undefined ? { 'content-type': 'application/fhir+json' } : {}),
      ...(init.method === 'POST' ? { 'idempotency-key': crypto.randomUUID() } : {}), ...init.headers,
    }).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const seedPatient = async () => {
    const clinical = await token('clinical');
    const auth = { authorization: `Bearer ${clinical}` };
    const patient = await call('/Patient', { method: 'POST', headers: auth, body: JSON.stringify(patientBody()) });
    expect(patient.status).toBe(201);
    const patientId = ((await patient.json()) as { id: string }).id;
    const observation = await call('/Observation', { method: 'POST', headers: auth, body: JSON.stringify(observationBody(patientId)) });
    expect(observation.status).toBe(201);
    const ids: Record<string, string> = {};
    for (const [type, example] of Object.entries(generatedExamples)) {
      const created = await call(`/${type}`, { method: 'POST', headers: auth, body: JSON.stringify(example(patientId)) });
      expect(created.status, type).toBe(201);
      ids[type] = ((await created.json()) as { id: string }).id;
    }
    return { patientId, observationId: ((await observation.json()) as { id: string }).id, ids };
  };
  return {
    stack, client, stateDir, log, logs, token, tokenFor, forge, scan, call, seedPatient, extraGateway,
    snapshot: async () => ({
      resources: byKey(await scan(tables.resources.name)),
      idempotency: byKey(await scan(tables.idempotency.name)),
      auditCount: (await scan(tables.audit.name)).length,
    }),
    secrets: () => [
      ...given, ...Object.values(stack.apiKeys), ...Object.values(stack.clients).map((c) => c.clientSecret).filter(Boolean),
      PATIENT_NHI, PATIENT_NHI.toLowerCase(), PATIENT_FAMILY, PATIENT_GIVEN,
    ],
    remember: (...secret) => { for (const s of secret) given.add(s); },
    close: async () => {
      logs.restore();
      await Promise.all(extraServers.map((server) => server.close()));
      await client.close();
      await stack.close();
    },
  };
}

/**
 * A request whose header lines are sent exactly as given, repeats and spellings included (fetch
 * would fold a repeated header into one line), after Host and the standard API key.
 */
export function sendHeaderLines(s: SecurityStack, path: string, init: { method: string; lines: Array<[string, string]>; body?: string }): Promise<Response> {
  const url = new URL(`${s.stack.baseUrl}${path}`);
  const lines: Array<[string, string]> = [['host', url.host], ['x-api-key', s.stack.apiKeys.standard as string], ...init.lines];
  return new Promise((resolve, reject) => {
    // Headers as a flat array: Node sends each pair as its own line and adds no Host itself.
    const outgoing = request({
      host: '127.0.0.1', servername: 'localhost', port: url.port, path: `${url.pathname}${url.search}`, method: init.method, ca: s.stack.caPem, headers: lines.flat(),
    }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve(new globalThis.Response(Buffer.concat(chunks), {
        status: incoming.statusCode ?? 0,
        headers: Object.entries(incoming.headers).map(([k, v]) => [k, String(v)] as [string, string]),
      }) as unknown as Response));
    });
    outgoing.on('error', reject);
    outgoing.end(init.body);
  });
}

/** The error code of an OperationOutcome body (`issue[0].details.coding[0].code`). */
export function outcomeCodeOf(body: string): string | undefined {
  const outcome = JSON.parse(body) as { resourceType?: string; issue?: Array<{ details?: { coding?: Array<{ system?: string; code?: string }> } }> };
  expect(outcome.resourceType).toBe('OperationOutcome');
  const coding = outcome.issue?.[0]?.details?.coding?.[0];
  expect(coding?.system).toBe(ERROR_CODE_SYSTEM);
  return coding?.code;
}

/** Where a refusal must come from: the gateway (no handler ran, nothing audited) or a handler (one audit record). */
export type Layer = 'gateway' | 'handler';

export interface Refusal {
  status: number;
  code: ErrorCode;
  layer: Layer;
}

/** Asserts that nothing in the logs written so far holds a secret (or anything shaped like a JWT). */
export function expectNoSecretsLogged(s: SecurityStack, extra: readonly string[] = []): void {
  const text = `${s.logs.text()}\n${s.log.lines.join('\n')}`;
  for (const secret of [...s.secrets(), ...extra]) {
    if (secret && text.includes(secret)) expect.fail(`a log holds a secret from the request (${secret.slice(0, 6)}…)`);
  }
  expect(text).not.toMatch(/eyJ[\w-]{8,}\.eyJ[\w-]{8,}/);
}

/**
 * The end of every attack: exact status and code, the store as it was, the audit trail one
 * record longer exactly when a handler answered (and the access log agreeing on which layer
 * answered), and no secret in any log.
 */
export async function expectRefused(s: SecurityStack, response: Response, before: StoreSnapshot, expected: Refusal, extraSecrets: readonly string[] = []) {
  const body = await response.text();
  expect({ status: response.status, code: outcomeCodeOf(body) }).toEqual({ status: expected.status, code: expected.code });
  expect(response.headers.get('set-cookie')).toBeNull();
  const after = await s.snapshot();
  expect(after.resources).toEqual(before.resources);
  expect(after.idempotency).toEqual(before.idempotency);
  expect(after.auditCount - before.auditCount).toBe(expected.layer === 'handler' ? 1 : 0);
  const access = s.log.of(response);
  expect(access).toHaveLength(1);
  expect(access[0]?.integrationLatency === null ? 'gateway' : 'handler').toBe(expected.layer);
  expectNoSecretsLogged(s, extraSecrets);
}
