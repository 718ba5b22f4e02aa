import type { RouteDefinition } from '@health-api/core';
import middy from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { EventInput } from '../../../../test/support/events.js';
import { lambdaContext, proxyEvent } from '../../../../test/support/events.js';
import { headerNormaliser } from '../request-headers/index.js';
import type { ApiMiddleware } from '../request-state.js';
import { compiledAtRunTime } from './compile-schema.js';
import { declaredNames, eventSchema } from './event-schema.js';
import { failingFields, requestValidation } from './index.js';

const route = {
  id: 'v', method: 'POST', path: '/v1/Thing/{id}', interaction: 'update', apiKey: true, maxBodyBytes: 1000, timeoutSeconds: 5, memoryMb: 128,
  schemas: {
    path: { id: { type: 'string', maxLength: 8, pattern: '^[a-z0-9]+$' } },
    query: { _count: { type: 'string', maxLength: 3, pattern: '^[0-9]+$' } },
    headers: { 'if-match': { type: 'string', maxLength: 20 } },
    body: { type: 'object', properties: { n: { type: 'integer' }, tags: { type: 'array', maxItems: 2, items: { type: 'string', maxLength: 5 } } }, additionalProperties: false },
  },
} as const satisfies RouteDefinition;

/** Runs just the validation middlewares after the header normaliser, as secureHandler composes them. */
async function validate(input: EventInput): Promise<{ event?: APIGatewayProxyEvent; error?: { code: string; fields: string[] } }> {
  let seen: APIGatewayProxyEvent | undefined;
  let error: { code: string; fields: string[] } | undefined;
  try {
    await middy(async (event: APIGatewayProxyEvent) => { seen = event; return { statusCode: 200, body: '' }; })
      .use([headerNormaliser, ...requestValidation(route, compiledAtRunTime(route))] as ApiMiddleware[])(proxyEvent({ method: 'POST', ...input }), lambdaContext());
  } catch (e) {
    error = e as { code: string; fields: string[] };
  }
  return { ...(seen ? { event: seen } : {}), ...(error ? { error } : {}) };
}

const ok: EventInput = { pathParameters: { id: 'abc' }, headers: { 'Content-Type': 'application/json', 'If-Match': 'W/"1"' }, body: '{"n":1,"tags":["a"]}' };

describe('request validation', () => {
  it('passes a valid request, with headers lower-cased and the body parsed, nothing coerced', async () => {
    const { event, error } = await validate(ok);
    expect(error).toBeUndefined();
    expect(event?.headers['if-match']).toBe('W/"1"');
    expect(event?.body).toEqual({ n: 1, tags: ['a'] });
  });

  it.each<[string, EventInput, string[]]>([
    ['a number sent as a string', { ...ok, body: '{"n":"1"}' }, ['body.n']],
    ['an unknown body field (name masked)', { ...ok, body: '{"secretName":1}' }, ['body']],
    ['an unknown query parameter', { ...ok, query: { evil: '1' } }, ['queryStringParameters']],
    ['a query value breaking its pattern', { ...ok, query: { _count: '1e3' } }, ['queryStringParameters._count']],
    ['a path parameter breaking its pattern', { ...ok, pathParameters: { id: '../x' } }, ['pathParameters.id']],
    ['too many array items', { ...ok, body: '{"tags":["a","b","c"]}' }, ['body.tags']],
    ['an over-long array string', { ...ok, body: '{"tags":["toolong"]}' }, ['body.tags.0']],
    ['an over-long unread header', { ...ok, headers: { ...ok.headers, 'x-note': 'x'.repeat(9000) } }, ['headers.*']],
    ['a non-UUID Interaction-Id', { ...ok, headers: { ...ok.headers, 'Interaction-Id': 'abc' } }, ['headers.interaction-id']],
    ['a JSON null body', { ...ok, body: 'null' }, ['body']],
  ])('refuses %s, naming only declared fields', async (_name, input, fields) => {
    const { error } = await validate(input);
    expect(error?.code).toBe('VALIDATION_FAILED');
    expect(error?.fields).toEqual(fields);
  });

  it('maps malformed JSON to MALFORMED_JSON', async () => {
    const { error } = await validate({ ...ok, body: '{"n":' });
    expect(error?.code).toBe('MALFORMED_JSON');
  });
});

describe('failingFields', () => {
  it('masks segments the schema does not declare and keeps array indexes', () => {
    const declared = declaredNames(eventSchema(route));
    expect(failingFields([
      { instancePath: '/body/tags/1', keyword: 'maxLength', params: {} },
      { instancePath: '/headers/x-ZAC5361', keyword: 'maxLength', params: {} },
      { instancePath: '/pathParameters', keyword: 'required', params: { missingProperty: 'id' } },
      { instancePath: '/body', keyword: 'required', params: { missingProperty: 'ZAC5361' } },
    ], declared)).toEqual(['body.tags.1', 'headers.*', 'pathParameters.id', 'body']);
  });
});
