import type { RouteDefinition } from '@health-api/core';
import { ApiError } from '@health-api/core';
import type { ApiMiddleware } from '../request-state.js';
import { header, headerValues } from '../request-state.js';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * Cheap structural checks that run before anything parses or verifies the request, so a
 * hostile request is refused before it costs a signature check or a JWKS download.
 */

const JSON_TYPES = ['application/fhir+json', 'application/json'];
const METHOD_OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override'];

export interface RequestGuardOptions {
  maxAuthorizationLength: () => number;
}

/** True when the Accept header admits one of our JSON media types (q > 0). */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) return false;
    return type === '*/*' || type === 'application/*' || JSON_TYPES.includes(type);
  });
}

/** True for our JSON media types, with no parameter other than charset=utf-8. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type = '', ...params] = contentType.split(';').map((part) => part.trim().toLowerCase());
  return JSON_TYPES.includes(type) && params.every((p) => p === 'charset=utf-8');
}

function bodyBytes(event: APIGatewayProxyEvent): number {
  if (event.body === null || event.body === undefined) return 0;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').length : Buffer.byteLength(event.body, 'utf8');
}

function hasQueryParameter(event: APIGatewayProxyEvent, name: string): boolean {
  return Object.keys(event.multiValueQueryStringParameters ?? event.queryStringParameters ?? {})
    .some((key) => key.toLowerCase() === name);
}

export function requestGuards(route: RouteDefinition, options: RequestGuardOptions): ApiMiddleware {
  return {
    name: 'request-guards',
    before: (request) => {
      const { event } = request;
      if (headerValues(event, 'cookie').length > 0) throw new ApiError('COOKIE_NOT_ALLOWED');
      if (METHOD_OVERRIDE_HEADERS.some((name) => headerValues(event, name).length > 0)) {
        throw new ApiError('METHOD_OVERRIDE_NOT_ALLOWED');
      }

      const authorization = headerValues(event, 'authorization');
      if (authorization.length > 1 || authorization.some((value) => value.includes(','))) {
        throw new ApiError('AUTHORIZATION_DUPLICATED');
      }
      if ((authorization[0]?.length ?? 0) > options.maxAuthorizationLength()) {
        throw new ApiError('INVALID_TOKEN', { reason: 'authorization-too-long' });
      }
      // RFC 6750 allows a token in the query string; we never do, and say so before anything else.
      if (hasQueryParameter(event, 'access_token')) {
        throw new ApiError('INVALID_TOKEN', { reason: 'token-in-query' });
      }

      if (!acceptsJson(header(event, 'accept'))) throw new ApiError('NOT_ACCEPTABLE');

      const size = bodyBytes(event);
      if (size > 0 && !isJsonContentType(header(event, 'content-type'))) throw new ApiError('UNSUPPORTED_MEDIA_TYPE');
      if (size > route.maxBodyBytes) throw new ApiError('PAYLOAD_TOO_LARGE');

      for (const values of Object.values(event.multiValueQueryStringParameters ?? {})) {
        if ((values?.length ?? 0) > 1) throw new ApiError('DUPLICATE_PARAMETER');
      }
    },
  };
}
