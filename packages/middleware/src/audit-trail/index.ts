import type { AuditFacts, RouteDefinition } from '@health-api/core';
import type { AuditTrail } from '@health-api/core/data';
import { ApiError, auditEvent, config } from '@health-api/core';
import { logger } from '../logging/logger.js';
import type { ApiMiddleware, ApiRequest } from '../request-state.js';

const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;
const LOCATION_ID = /\/[A-Za-z]+\/([A-Za-z0-9.-]{1,64})(?:\/_history\/[^/]+)?$/;
/** Answers given after the request was authorised and validated: the resource id is trustworthy. */
const AFTER_VALIDATION = new Set([404, 409, 410, 412, 422, 428]);

function resourceId(request: ApiRequest, status: number): string | undefined {
  if (status >= 400 && !AFTER_VALIDATION.has(status)) return undefined;
  const fromPath = request.event.pathParameters?.id;
  if (fromPath && FHIR_ID.test(fromPath)) return fromPath;
  const location = request.response?.headers?.Location;
  return typeof location === 'string' ? LOCATION_ID.exec(location)?.[1] : undefined;
}

/**
 * The audit trail: one hash-chained AuditEvent per call to a health endpoint, allowed or
 * refused. An allowed call whose record cannot be written fails with 503 (no unaudited access);
 * a refused call keeps its refusal and the failure is logged.
 */
export function auditTrailMiddleware(route: RouteDefinition, trail: () => AuditTrail | Promise<AuditTrail>): ApiMiddleware {
  const record = async (request: ApiRequest): Promise<void> => {
    request.internal.audited = true;
    const status = request.response?.statusCode ?? 500;
    const auth = request.internal.auth;
    const error = request.error instanceof ApiError ? request.error : undefined;
    const facts: AuditFacts = {
      interaction: route.interaction,
      ...(route.resourceType ? { resourceType: route.resourceType } : {}),
      status,
      interactionId: request.internal.interactionId ?? '',
      recorded: new Date().toISOString(),
      observer: config().serviceName,
    };
    const id = resourceId(request, status);
    if (id) facts.resourceId = id;
    if (error) facts.errorCode = error.code;
    if (auth?.clientId) facts.clientId = auth.clientId;
    if (auth?.fhirUser) facts.fhirUser = auth.fhirUser;
    if (auth?.patient) facts.patient = auth.patient;
    const sourceIp = request.event.requestContext?.identity?.sourceIp;
    if (sourceIp) facts.sourceIp = sourceIp;
    await (await trail()).append(auditEvent(facts));
  };
  return {
    name: 'audit-trail',
    after: async (request) => {
      if (!route.resourceType) return;
      try {
        await record(request);
      } catch (cause) {
        logger.error('audit write failed', { errorName: cause instanceof Error ? cause.name : 'unknown' });
        throw new ApiError('SERVICE_UNAVAILABLE', { reason: 'audit-write-failed', headers: { 'Retry-After': '1' } });
      }
    },
    onError: async (request) => {
      if (!route.resourceType || request.internal.audited) return;
      await record(request).catch((cause: unknown) => {
        logger.error('audit write failed', { errorName: cause instanceof Error ? cause.name : 'unknown' });
      });
    },
  };
}
