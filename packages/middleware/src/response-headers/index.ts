import type { RouteDefinition } from '@health-api/core';
import httpSecurityHeaders from '@middy/http-security-headers';
import { randomUUID } from 'node:crypto';
import { validate as validateUuid } from 'uuid';
import type { ApiMiddleware, ApiRequest } from '../request-state.js';
import { header } from '../request-state.js';


/**
 * The library's (helmet's) headers for a non-HTML answer: HSTS, nosniff, Referrer-Policy and
 * the rest. Taken once, so the gateway's own answers and the docs carry the same set.
 */
const securityHeaders = httpSecurityHeaders({
  // Two years, subdomains included, as before; preloading commits the whole domain, which is the deployer's call.
  strictTransportSecurity: { maxAge: 63_072_000, includeSubDomains: true, preload: false },
  // No reporting endpoint exists (the library would send an empty header).
  reportingEndpoints: false,
  // Nothing to remove: no Server or X-Powered-By header is ever set (the library would set them to undefined).
  poweredBy: false,
} as Parameters<typeof httpSecurityHeaders>[0]); // its types omit `reportingEndpoints`, which it reads

function libraryHeaders(): Record<string, string> {
  const probe = { response: { statusCode: 200, headers: { 'Content-Type': 'application/json' } as Record<string, string>, body: '' } };
  // The library's `after` is async in name only: it writes the headers before it returns.
  void securityHeaders.after?.(probe as never);
  return Object.fromEntries(Object.entries(probe.response.headers).filter((entry): entry is [string, string] => entry[0] !== 'Content-Type' && typeof entry[1] === 'string'));
}

/** Headers on every answer, success or error. Nothing here names the software or its version. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/fhir+json; charset=utf-8',
  ...libraryHeaders(),
  // Kept by hand: the library sends CSP and X-Frame-Options on text/html only; an API sends them on JSON too.
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
};

/** The caller's Interaction-Id when it is a UUID (so it is safe to echo), else a new one. */
export function interactionIdOf(request: ApiRequest): string {
  const sent = header(request.event, 'interaction-id');
  return sent !== undefined && validateUuid(sent) ? sent : randomUUID();
}

export function responseHeaders(route: RouteDefinition): ApiMiddleware {
  // Only a public route's success may be cached, and only by the encrypted stage cache.
  const successCache = route.cacheTtlSeconds ? `public, max-age=${route.cacheTtlSeconds}` : 'no-store';
  // The fixed part of each answer's headers, built once.
  const onSuccess = { ...SECURITY_HEADERS, 'Cache-Control': successCache };
  const onError = { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' };
  const decorate = (request: ApiRequest, fixed: Readonly<Record<string, string>>): void => {
    const response = request.response;
    if (!response) return;
    // The leading empty spread is for speed alone: V8 (Node 20) copies an object literal that
    // starts with a spread of a non-empty map (a handler's ETag, say) into a map of its own,
    // and every property added after that costs a new map: tens of µs per answer.
    response.headers = { ...{}, ...response.headers, ...fixed, 'Interaction-Id': request.internal.interactionId ?? '' };
  };
  return {
    name: 'response-headers',
    before: (request) => {
      request.internal.interactionId = interactionIdOf(request);
    },
    after: (request) => decorate(request, onSuccess),
    onError: (request) => decorate(request, onError),
  };
}
