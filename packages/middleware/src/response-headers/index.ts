import type { RouteDefinition } from '@health-api/core';
import { randomUUID } from 'node:crypto';
import type { ApiMiddleware, ApiRequest } from '../request-state.js';
import { header } from '../request-state.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Headers on every answer, success or error. Nothing here names the software or its version. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/fhir+json; charset=utf-8',
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

/** The caller's Interaction-Id when it is a UUID (so it is safe to echo), else a new one. */
export function interactionIdOf(request: ApiRequest): string {
  const sent = header(request.event, 'interaction-id');
  return sent !== undefined && UUID.test(sent) ? sent : randomUUID();
}

export function responseHeaders(route: RouteDefinition): ApiMiddleware {
  // Only a public route's success may be cached, and only by the encrypted stage cache.
  const successCache = route.cacheTtlSeconds ? `public, max-age=${route.cacheTtlSeconds}` : 'no-store';
  const decorate = (request: ApiRequest, cacheControl: string): void => {
    const response = request.response;
    if (!response) return;
    response.headers = {
      ...response.headers,
      ...SECURITY_HEADERS,
      'Cache-Control': cacheControl,
      'Interaction-Id': request.internal.interactionId ?? '',
    };
  };
  return {
    name: 'response-headers',
    before: (request) => {
      request.internal.interactionId = interactionIdOf(request);
    },
    after: (request) => decorate(request, successCache),
    onError: (request) => decorate(request, 'no-store'),
  };
}
