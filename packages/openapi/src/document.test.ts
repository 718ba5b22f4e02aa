import type { ErrorCode, RouteDefinition } from '@health-api/core';
import { errorCodes, errorSpec, operationOutcome } from '@health-api/core';
import { routeList } from '@health-api/functions';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument, openApiJson, routeErrorCodes } from './index.js';
import { COMMITTED_DOCUMENT } from './write-openapi.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const document = openApiDocument(routeList);

interface Operation {
  operationId: string;
  security: Array<Record<string, string[]>>;
  parameters: Array<{ name: string; in: string; required: boolean; schema: unknown }>;
  requestBody?: { content: Record<string, { schema: { $ref: string } }> };
  responses: Record<string, {
    'x-error-codes'?: ErrorCode[];
    headers?: Record<string, { $ref: string }>;
    content?: Record<string, { schema: { $ref: string }; examples?: Record<string, { $ref: string }> }>;
  }>;
}

const operationOf = (route: RouteDefinition) =>
  (document.paths[route.path] as Record<string, Operation>)[route.method.toLowerCase()] as Operation;
const resolve = (ref: { $ref: string }) => ref.$ref.split('/').slice(1).reduce<unknown>(
  (node, key) => (node as Record<string, unknown>)[key], document);

describe('OpenAPI document', () => {
  it('has exactly the paths and methods of the route manifest, one operation per route id', () => {
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${path} ${(op as Operation).operationId}`));
    expect(documented.sort()).toEqual(routeList.map((r) => `${r.method} ${r.path} ${r.id}`).sort());
  });

  it('is the committed docs/openapi.json (run `npm run openapi` after changing routes)', async () => {
    expect(await readFile(COMMITTED_DOCUMENT, 'utf8')).toBe(openApiJson(routeList));
  });

  it.each(routeList.map((route) => [route.id, route] as const))('%s lists every error code it can answer with, by status, with its OperationOutcome', (_id, route) => {
    const responses = operationOf(route).responses;
    const listed = Object.entries(responses).flatMap(([status, response]) =>
      (response['x-error-codes'] ?? []).map((code) => {
        expect(errorSpec(code).status).toBe(Number(status));
        const media = response.content?.['application/fhir+json'];
        expect(media?.schema).toEqual({ $ref: '#/components/schemas/OperationOutcome' });
        expect((resolve(media?.examples?.[code] as { $ref: string }) as { value: unknown }).value).toEqual(operationOutcome(code));
        return code;
      }));
    expect(listed.sort()).toEqual(routeErrorCodes(route).sort());
    // At least the guard, validation and gateway answers; auth and scope ones on scoped routes.
    expect(listed).toEqual(expect.arrayContaining(['COOKIE_NOT_ALLOWED', 'VALIDATION_FAILED', 'THROTTLED', 'GATEWAY_TIMEOUT']));
    const auth: ErrorCode[] = ['MISSING_TOKEN', 'INVALID_TOKEN', 'INSUFFICIENT_SCOPE'];
    expect(auth.every((code) => listed.includes(code))).toBe(route.scope !== undefined);
    expect(listed.includes('API_KEY_INVALID')).toBe(route.apiKey);
    // Every 401 carries the bearer challenge (public routes too: a token in the query is refused with one).
    expect(responses['401']?.headers?.['WWW-Authenticate']).toEqual({ $ref: '#/components/headers/WWWAuthenticate' });
    expect(responses['429']?.headers?.['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfter' });
  });

  it('documents every catalogue code on some route, except the answer for a path with no route', () => {
    const documented = new Set(routeList.flatMap(routeErrorCodes));
    const keyRequired = routeList.some((route) => route.idempotency?.required);
    expect(errorCodes.filter((code) => !documented.has(code)).sort()).toEqual([...(keyRequired ? [] : ['IDEMPOTENCY_KEY_REQUIRED']), 'ROUTE_NOT_FOUND']);
  });

  it('requires, per route, an OAuth2 SMART scope in each context and the API key where the manifest says so', () => {
    const { flows } = document.components.securitySchemes.smartOAuth2;
    for (const route of routeList) {
      const { security } = operationOf(route);
      if (!route.scope) {
        expect(security).toEqual(route.apiKey ? [{ apiKey: [] }] : []);
        continue;
      }
      const scope = `${route.scope.resourceType}.${route.scope.permission}`;
      expect(security).toEqual(['system', 'patient', 'user'].map((context) => ({
        smartOAuth2: [`${context}/${scope}`], ...(route.apiKey ? { apiKey: [] } : {}),
      })));
      expect(Object.keys(flows.clientCredentials.scopes)).toContain(`system/${scope}`);
      expect(Object.keys(flows.authorizationCode.scopes)).toEqual(expect.arrayContaining([`patient/${scope}`, `user/${scope}`]));
    }
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
  });

  it('takes parameters and bodies from the route schemas, with Interaction-Id, Idempotency-Key and If-Match headers', () => {
    for (const route of routeList) {
      const op = operationOf(route);
      const byName = new Map(op.parameters.map((p) => [`${p.in} ${p.name}`, p]));
      for (const [name, schema] of Object.entries(route.schemas.path ?? {})) expect(byName.get(`path ${name}`)).toMatchObject({ required: true, schema });
      for (const [name, schema] of Object.entries(route.schemas.query ?? {})) expect(byName.get(`query ${name}`)?.schema).toEqual(schema);
      expect(byName.get('header Interaction-Id')?.schema).toMatchObject({ type: 'string', pattern: expect.any(String) });
      expect(byName.has('header Idempotency-Key')).toBe(route.idempotency !== undefined);
      if (route.idempotency) expect(byName.get('header Idempotency-Key')?.required).toBe(route.idempotency.required);
      expect(byName.has('header If-Match')).toBe('if-match' in (route.schemas.headers ?? {}));
      expect(op.parameters).toHaveLength(byName.size);
      if (route.schemas.body) {
        expect(resolve(op.requestBody?.content['application/fhir+json']?.schema as { $ref: string })).toBe(route.schemas.body);
      } else expect(op.requestBody).toBeUndefined();
    }
  });

  it('answers resources with ETag, creates with Location, all in application/fhir+json with an Interaction-Id', () => {
    for (const route of routeList) {
      const [status, success] = Object.entries(operationOf(route).responses)[0] as [string, Operation['responses'][string]];
      const headers = Object.keys(success.headers ?? {});
      expect(headers).toContain('Interaction-Id');
      expect(headers.includes('ETag')).toBe(['read', 'create', 'update'].includes(route.interaction));
      expect(headers.includes('Location')).toBe(route.interaction === 'create');
      expect(status).toBe(route.interaction === 'create' ? '201' : route.interaction === 'delete' ? '204' : '200');
      expect(Object.keys(success.content ?? {})).toEqual(route.interaction === 'delete' ? [] : ['application/fhir+json']);
    }
  });

  it('describes a route it has never seen, from its manifest fields alone', () => {
    const condition: RouteDefinition = {
      id: 'condition-create', method: 'POST', path: '/v1/Condition', interaction: 'create', resourceType: 'Condition',
      scope: { resourceType: 'Condition', permission: 'c' }, apiKey: true, maxBodyBytes: 1024, timeoutSeconds: 5, memoryMb: 256,
      idempotency: { required: true },
      schemas: { headers: { 'idempotency-key': { type: 'string' } }, body: { type: 'object', properties: { resourceType: { const: 'Condition' } } } },
    };
    const described = openApiDocument([condition]);
    const op = described.paths['/v1/Condition']?.post as Operation;
    expect(op.security).toContainEqual({ smartOAuth2: ['system/Condition.c'], apiKey: [] });
    expect(op.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }));
    expect(op.responses['400']?.['x-error-codes']).toContain('IDEMPOTENCY_KEY_REQUIRED');
    expect(described.components.schemas).toHaveProperty('ConditionCreate');
    expect(described.components.schemas).toHaveProperty('Condition');
  });
});

describe('redocly lint (recommended ruleset, redocly.yaml)', () => {
  const run = promisify(execFile);
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openapi-lint-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function lint(description: unknown): Promise<{ totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string }> }> {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(description));
    // Exit code 1 on errors: the JSON report on stdout is what we judge.
    const result = await run(process.execPath, [join(ROOT, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', file, '--format=json', `--config=${join(ROOT, 'redocly.yaml')}`], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    }).catch((error: { stdout: string }) => error);
    return JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as Awaited<ReturnType<typeof lint>>;
  }

  it('finds no error and no warning in the generated document', async () => {
    const report = await lint(document);
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it('does report a broken document (an operation without responses, an undefined security scheme)', async () => {
    const broken = structuredClone(document) as unknown as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const [first] = routeList as [RouteDefinition];
    const op = broken.paths[first.path]?.[first.method.toLowerCase()] as Record<string, unknown>;
    delete op.responses;
    op.security = [{ nowhere: [] }];
    const report = await lint(broken);
    expect(report.totals.errors).toBeGreaterThan(0);
    expect(report.problems.map((p) => p.ruleId)).toEqual(expect.arrayContaining(['security-defined']));
  }, 60_000);
});

describe('sender-constrained tokens in the document', () => {
  type Operation = { parameters: Array<{ name: string; in: string; required: boolean }>; 'x-sender-constraint'?: string; responses: Record<string, { 'x-error-codes'?: string[] }> };
  const operationOf = (doc: ReturnType<typeof openApiDocument>, path: string, method: string) =>
    (doc.paths as unknown as Record<string, Record<string, Operation>>)[path]?.[method] as Operation;

  it('lets every secured operation take a DPoP proof (optional on a bearer route) and answer INVALID_DPOP_PROOF', () => {
    const create = operationOf(document, '/v1/Patient', 'post');
    expect(create.parameters.find((p) => p.name === 'DPoP')).toMatchObject({ in: 'header', required: false });
    expect(create.responses['401']?.['x-error-codes']).toContain('INVALID_DPOP_PROOF');
    expect(create['x-sender-constraint']).toBeUndefined();
    expect(operationOf(document, '/v1/metadata', 'get').parameters.find((p) => p.name === 'DPoP')).toBeUndefined();
  });

  it('marks a route that demands DPoP, with the proof header required', () => {
    const demanding = routeList.map((route) => (route.id === 'patient-create' ? { ...route, senderConstraint: 'dpop' as const } : route));
    const create = operationOf(openApiDocument(demanding), '/v1/Patient', 'post');
    expect(create['x-sender-constraint']).toBe('dpop');
    expect(create.parameters.find((p) => p.name === 'DPoP')).toMatchObject({ required: true });
  });
});
