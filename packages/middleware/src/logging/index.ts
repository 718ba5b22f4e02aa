import type { ErrorCode, RouteDefinition } from '@health-api/core';
import { ApiError } from '@health-api/core';
import type { ApiMiddleware, ApiRequest } from '../request-state.js';
import type { SecurityEventType } from './logger.js';
import { logger, logSecurityEvent } from './logger.js';

/** Which refusals are security events (HNZAS: log failed authentication, authorisation, validation). */
const SECURITY_EVENTS: Partial<Record<ErrorCode, SecurityEventType>> = {
  MISSING_TOKEN: 'authentication',
  INVALID_TOKEN: 'authentication',
  INSUFFICIENT_SCOPE: 'authorisation',
  VALIDATION_FAILED: 'validation',
  MALFORMED_JSON: 'validation',
  DUPLICATE_PARAMETER: 'validation',
  INVALID_NHI: 'validation',
  INVALID_SEARCH: 'validation',
  UNKNOWN_PARAMETER: 'validation',
  INVALID_CURSOR: 'validation',
  ID_MISMATCH: 'validation',
  PAYLOAD_TOO_LARGE: 'request-guard',
  UNSUPPORTED_MEDIA_TYPE: 'request-guard',
  NOT_ACCEPTABLE: 'request-guard',
  COOKIE_NOT_ALLOWED: 'request-guard',
  AUTHORIZATION_DUPLICATED: 'request-guard',
  DUPLICATE_HEADER: 'request-guard',
  METHOD_OVERRIDE_NOT_ALLOWED: 'request-guard',
};

/**
 * One structured access line per request, and a security event line for each refusal that is
 * one. Identifiers of the caller only; the logger's replacer redacts anything else.
 */
export function requestLogging(route: RouteDefinition): ApiMiddleware {
  const accessLine = (request: ApiRequest): void => {
    const { event, internal } = request;
    const error = request.error;
    if (error instanceof ApiError) {
      const eventType = SECURITY_EVENTS[error.code];
      if (eventType) logSecurityEvent(eventType, error.reason ?? error.code, internal.auth?.clientId);
    }
    logger.info('request', {
      route: `${route.method} ${route.path}`,
      status: request.response?.statusCode,
      ...(error instanceof ApiError ? { errorCode: error.code } : {}),
      latencyMs: Math.round((performance.now() - (internal.startedAt ?? performance.now())) * 1000) / 1000,
      clientId: internal.auth?.clientId,
      interactionId: internal.interactionId,
      requestId: event.requestContext?.requestId,
      sourceIp: event.requestContext?.identity?.sourceIp,
    });
  };
  return {
    name: 'request-logging',
    before: (request) => {
      request.internal.startedAt = performance.now();
    },
    after: accessLine,
    onError: accessLine,
  };
}
