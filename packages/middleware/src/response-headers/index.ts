import type { RouteDefinition } from '@health-api/core';
import httpSecurityHeaders from '@middy/http-security-headers';
import { randomUUID } from 'node:crypto';
import { validate as validateUuid } from 'uuid';
import type { ApiMiddleware, ApiRequest } from '../request-state.js';
import { header } from '../request-state.js';


/**
 * @middy/http-security-headers (helmet's rules) writes the headers. It sets the CSP and
 * X-Frame-Options only on `text/html` answers, while an API should send them on its JSON too (an
 * answer opened in a browser must not run or frame anything), so the headers are taken once from
 * the library run over an HTML probe and then sent on every answer, the gateway's own included.
 */
const securityHeaders = httpSecurityHeaders({
  // Two years, subdomains included, as before; preloading commits the whole domain, which is the deployer's call.
  strictTransportSecurity: { maxAge: 63_072_000, includeSubDomains: true, preload: false },
  // No reporting endpoint exists to send reports to.
  contentSecurityPolicy: { 'report-to': '' },
  reportTo: false,
  reportingEndpoints: false,
  // Deprecated (browsers removed the filter); helmet itself now sends 0 or nothing.
  xssProtection: false,
  // Isolation and feature policies govern pages; an API has none.
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: false,
  permissionsPolicy: false,
  // Nothing to remove here: no Server or X-Powered-By header is ever set.
  poweredBy: false,
} as Parameters<typeof httpSecurityHeaders>[0]);

function libraryHeaders(): Record<string, string> {
  const probe = { response: { statusCode: 200, headers: { 'Content-Type': 'text/html' } as Record<string, string>, body: '' } };
  // The library's `after` is async in name only: it writes the headers before it returns.
  void securityHeaders.after?.(probe as never);
  return Object.fromEntries(Object.entries(probe.response.headers).filter((entry): entry is [string, string] => entry[0] !== 'Content-Type' && typeof entry[1] === 'string'));
}

/** Headers on every answer, success or error. Nothing here names the software or its version. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/fhir+json; charset=utf-8',
  ...libraryHeaders(),
};

/** The caller's Interaction-Id when it is a UUID (so it is safe to echo), else a new one. */
export function interactionIdOf(request: ApiRequest): string {
  const sent = header(request.event, 'interaction-id');
  return sent !== undefined && validateUuid(sent) ? sent : randomUUID();
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
