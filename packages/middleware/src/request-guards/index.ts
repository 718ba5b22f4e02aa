import type { RouteDefinition } from '@health-api/core';
import { ApiError, MAX_PARAMETER_REPEATS, isRepeatable } from '@health-api/core';
import type { ApiMiddleware } from '../request-state.js';
import { header, headerValues } from '../request-state.js';
import { declaredHeaders } from '../request-validation/event-schema.js';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { parse as parseMediaType } from 'content-type';

/**
 * Cheap structural checks that run before anything parses or verifies the request, so a
 * hostile request is refused before it costs a signature check or a JWKS download.
 */

const JSON_TYPES = ['application/fhir+json', 'application/json'];
const METHOD_OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override'];
/** FHIR R4 names its version `4.0` in media types (https://hl7.org/fhir/R4/http.html#version-parameter). */
const FHIR_VERSION = /^4\.0(\.[0-9]+)?$/;
/** `_format` values that mean JSON (https://hl7.org/fhir/R4/http.html#mime-type). */
const JSON_FORMATS = new Set(['json', ...JSON_TYPES]);

export interface RequestGuardOptions {
  maxAuthorizationLength: () => number;
}

interface MediaType {
  type: string;
  params: Map<string, string>;
}

/**
 * Media types are parsed by jshttp's content-type (type and parameter names lower case, quotes
 * removed, quoted commas kept); the values are lowered here. Negotiation stays ours: negotiator
 * (and @middy/http-content-negotiation on it) matches a range only when every parameter it names
 * equals an offered type's, so FHIR's `fhirVersion=4.0.1` or any extension parameter would be
 * refused, and neither knows `_format`.
 */
const mediaType = ({ type, parameters }: { type: string; parameters: Record<string, string> }): MediaType =>
  ({ type, params: new Map(Object.entries(parameters).map(([name, value]) => [name, value.toLowerCase()])) });

/** The media ranges of an Accept header, in order. */
function mediaRanges(accept: string): MediaType[] {
  const ranges: MediaType[] = [];
  for (let start = 0; start < accept.length;) {
    const range = parseMediaType(accept, { comma: true, start });
    ranges.push(mediaType(range));
    start = Math.max(range.index, start) + 1;
  }
  return ranges;
}

/** What we produce and read: UTF-8 JSON of FHIR R4; other parameters of a media type change nothing. */
const isOurs = ({ params }: MediaType) =>
  (params.get('charset') ?? 'utf-8') === 'utf-8' && FHIR_VERSION.test(params.get('fhirversion') ?? '4.0');

/** True when the Accept header admits one of our JSON media types (q > 0), FHIR R4 and UTF-8 if it names them. */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return mediaRanges(accept).some((media) => {
    const q = media.params.get('q');
    if (q !== undefined && !(Number(q) > 0)) return false;
    return (media.type === '*/*' || media.type === 'application/*' || JSON_TYPES.includes(media.type)) && isOurs(media);
  });
}

/** True for our JSON media types, optionally with `charset=utf-8` and `fhirVersion=4.0`, nothing else. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const media = mediaType(parseMediaType(contentType));
  return JSON_TYPES.includes(media.type) && isOurs(media) && [...media.params.keys()].every((name) => name === 'charset' || name === 'fhirversion');
}

/** `_format` overrides Accept (FHIR R4 http.html#mime-type): JSON answers only. */
export function formatIsJson(format: string): boolean {
  return JSON_FORMATS.has(format.trim().toLowerCase()) || (format.includes('/') && acceptsJson(format));
}

function bodyBytes(event: APIGatewayProxyEvent): number {
  if (event.body === null || event.body === undefined) return 0;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').length : Buffer.byteLength(event.body, 'utf8');
}

function hasQueryParameter(event: APIGatewayProxyEvent, name: string): boolean {
  return Object.keys(event.multiValueQueryStringParameters ?? event.queryStringParameters ?? {})
    .some((key) => key.toLowerCase() === name);
}

const queryParameter = (event: APIGatewayProxyEvent, name: string): string | undefined => event.queryStringParameters?.[name] ?? undefined;

export function requestGuards(route: RouteDefinition, options: RequestGuardOptions): ApiMiddleware {
  // Headers read as one value: a second value could mean one thing to a check and another to its user.
  const singleHeaders = [...declaredHeaders(route), 'content-type', 'accept'];
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
      if (singleHeaders.some((name) => headerValues(event, name).length > 1)) throw new ApiError('DUPLICATE_HEADER');
      // RFC 6750 allows a token in the query string; we never do, and say so before anything else.
      if (hasQueryParameter(event, 'access_token')) {
        throw new ApiError('INVALID_TOKEN', { reason: 'token-in-query' });
      }

      const format = queryParameter(event, '_format');
      if (!(format === undefined ? acceptsJson(header(event, 'accept')) : formatIsJson(format))) throw new ApiError('NOT_ACCEPTABLE');

      const size = bodyBytes(event);
      if (size > 0 && !isJsonContentType(header(event, 'content-type'))) throw new ApiError('UNSUPPORTED_MEDIA_TYPE');
      if (size > route.maxBodyBytes) throw new ApiError('PAYLOAD_TOO_LARGE');

      // FHIR ANDs a repeated search parameter; anything else given twice is parameter pollution.
      for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
        const allowed = isRepeatable(route, name) ? MAX_PARAMETER_REPEATS : 1;
        if ((values?.length ?? 0) > allowed) throw new ApiError('DUPLICATE_PARAMETER');
      }
    },
  };
}
