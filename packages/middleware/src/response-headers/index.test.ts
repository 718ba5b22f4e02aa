import type { RouteDefinition } from '@health-api/core';
import { describe, expect, it } from 'vitest';
import { middyRequest } from '../../../../test/support/middleware.js';
import { SECURITY_HEADERS, interactionIdOf, responseHeaders } from './index.js';

const route = {
  id: 'r', method: 'GET', path: '/v1/metadata', interaction: 'capabilities', apiKey: false,
  maxBodyBytes: 0, timeoutSeconds: 5, memoryMb: 128, cacheTtlSeconds: 60, schemas: {},
} as const satisfies RouteDefinition;

describe('response headers', () => {
  it('echo a UUID Interaction-Id and replace anything else', () => {
    const id = crypto.randomUUID();
    expect(interactionIdOf(middyRequest({ headers: { 'Interaction-Id': id } }))).toBe(id);
    const injected = interactionIdOf(middyRequest({ headers: { 'interaction-id': `${id}\r\nSet-Cookie: x=y` } }));
    expect(injected).not.toContain('Set-Cookie');
    expect(injected).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('cache only a public success; errors are always no-store', async () => {
    const middleware = responseHeaders(route);
    const ok = middyRequest();
    await middleware.before?.(ok);
    ok.response = { statusCode: 200, body: '{}', headers: { Server: 'x' } };
    await middleware.after?.(ok);
    expect(ok.response.headers).toMatchObject({ 'Cache-Control': 'public, max-age=60', 'X-Content-Type-Options': 'nosniff' });

    const failed = middyRequest();
    await middleware.before?.(failed);
    failed.response = { statusCode: 500, body: '{}' };
    await middleware.onError?.(failed);
    expect(failed.response.headers).toMatchObject({ 'Cache-Control': 'no-store', 'Content-Type': 'application/fhir+json; charset=utf-8' });
    expect(failed.response.headers?.['Interaction-Id']).toBe(failed.internal.interactionId);
  });

  it("keep a handler's own headers first and replace any it set that the security set or the cache rule owns", async () => {
    const middleware = responseHeaders(route);
    const ok = middyRequest();
    await middleware.before?.(ok);
    ok.response = { statusCode: 200, body: '{}', headers: { ETag: 'W/"3"', 'Content-Type': 'text/html', 'Cache-Control': 'public, max-age=99999', 'X-Frame-Options': 'ALLOWALL' } };
    await middleware.after?.(ok);
    expect(Object.entries(ok.response.headers ?? {})).toEqual([
      ['ETag', 'W/"3"'],
      ['Content-Type', SECURITY_HEADERS['Content-Type']],
      ['Cache-Control', 'public, max-age=60'],
      ['X-Frame-Options', 'DENY'],
      ...Object.entries(SECURITY_HEADERS).filter(([name]) => name !== 'Content-Type' && name !== 'X-Frame-Options'),
      ['Interaction-Id', ok.internal.interactionId],
    ]);
  });

  it('are at least as strict as the hand-written set they replace, CSP and X-Frame-Options included on JSON', () => {
    expect(SECURITY_HEADERS).toMatchObject({
      'Content-Type': 'application/fhir+json; charset=utf-8',
      'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
    });
    expect(SECURITY_HEADERS['Content-Security-Policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(Object.keys(SECURITY_HEADERS).filter((name) => /^(server|x-powered-by|x-xss-protection|report-to|reporting-endpoints)$/i.test(name))).toEqual([]);
  });
});
