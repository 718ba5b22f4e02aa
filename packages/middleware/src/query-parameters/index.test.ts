import type { RouteDefinition } from '@health-api/core';
import { describe, expect, it } from 'vitest';
import { middyRequest, runBefore } from '../../../../test/support/middleware.js';
import { queryParameters, wantsStrictHandling } from './index.js';

const route = {
  id: 'searching', method: 'GET', path: '/v1/Patient', interaction: 'search-type', apiKey: true,
  maxBodyBytes: 0, timeoutSeconds: 5, memoryMb: 128, schemas: { query: { identifier: { type: 'string' } } },
} as const satisfies RouteDefinition;
const step = queryParameters(route);

describe('query parameters', () => {
  it('pass declared and general parameters through untouched', async () => {
    const request = middyRequest({ query: { identifier: 'x', _format: 'json' } });
    await runBefore(step, request);
    expect(request.event.queryStringParameters).toEqual({ identifier: 'x', _format: 'json' });
    expect(request.internal.ignoredParameters).toBeUndefined();
  });

  it('drop unknown parameters by default (handling=lenient) and note their names', async () => {
    const request = middyRequest({ query: { identifier: 'x', _summary: 'true', 'identifier:exact': 'y', '<script>': 'z' } });
    await runBefore(step, request);
    expect(request.event.queryStringParameters).toEqual({ identifier: 'x' });
    expect(request.event.multiValueQueryStringParameters).toEqual({ identifier: ['x'] });
    expect(request.internal.ignoredParameters).toEqual(['_summary', 'identifier:exact', '*']);
  });

  it('refuse unknown parameters under Prefer: handling=strict, naming only safe names', async () => {
    const request = middyRequest({ query: { identifier: 'x', _sort: 'name', 'a b': 'c' }, headers: { prefer: 'return=minimal, handling=strict' } });
    await expect(runBefore(step, request)).rejects.toMatchObject({ code: 'UNKNOWN_PARAMETER', status: 400, fields: ['_sort', '*'] });
  });

  it.each([
    [['handling=strict'], true], [['return=representation; handling=strict'], true], [['HANDLING = STRICT'], true],
    [['handling=lenient'], false], [[], false], [['handling=strictly'], false],
  ])('Prefer %j is strict: %s', (values, strict) => {
    expect(wantsStrictHandling(values)).toBe(strict);
  });
});
