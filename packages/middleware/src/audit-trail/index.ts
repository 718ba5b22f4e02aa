import type { AuditFacts, RouteDefinition } from '@health-api/core';
import type { AuditTrail } from '@health-api/core/data';
import { ApiError, FHIR_ID, FHIR_ID_SYNTAX, auditEvent, config } from '@health-api/core';
import { logger } from '../logging/logger.js';
import type { ApiMiddleware, ApiRequest } from '../request-state.js';

const LOCATION_ID = new RegExp(`/[A-Za-z]+/(${FHIR_ID_SYNTAX})(?:/_history/[^/]+)?$`);
/** Answers given after the request was authorised and validated: the resource id is trustworthy. */
const AFTER_VALIDATION = new Set([404, 409, 410, 412, 422, 428]);

function resourceId(request: ApiRequest, status: number): string | undefined {
  if (status >= 400 && !AFTER_VALIDATION.has(status)) return undefined;
  const fromPath = request.event.pathParameters?.id;
  if (fromPath && FHIR_ID.test(fromPath)) return fromPath;
  const location = request.response?.headers?.Location;
  return typeof location === 'string' ? LOCATION_ID.exec(location)?.[1] : undefined;
}

const errorName = (cause: unknown) => (cause instanceof Error ? cause.name : 'unknown');

const logFailure = (reason: string, cause: unknown) => {
  logger.error('audit write failed', { reason, errorName: errorName(cause) });
};

/** A chain head that could not be sealed: the records stand, the next seal covers them. */
export const logSealFailure = (cause: unknown) => {
  logger.error('audit seal failed', { errorName: errorName(cause) });
};

const unavailable = (reason: string, cause: unknown) => {
  logFailure(reason, cause);
  return new ApiError('SERVICE_UNAVAILABLE', { reason, cause, headers: { 'Retry-After': '1' } });
};

/**
 * The audit trail: one hash-chained AuditEvent per call to a health endpoint, allowed or
 * refused, naming what a search disclosed (`BusinessResult.disclosed`). An allowed call whose record cannot be written fails with 503 (no unaudited access);
 * a refused call keeps its refusal and the failure is logged.
 *
 * A change is also recorded before it is made: the business function calls `auditIntent` with
 * the id it is about to write (the repository does, once its checks pass), and nothing is written
 * unless that record is. So a fault between the data write and the outcome record never leaves
 * a change that no audit record names.
 */
export function auditTrailMiddleware(route: RouteDefinition, trail: () => AuditTrail | Promise<AuditTrail>): ApiMiddleware {
  const facts = (request: ApiRequest, status: number | undefined, id: string | undefined): AuditFacts => {
    const auth = request.internal.auth;
    const error = request.error instanceof ApiError ? request.error : undefined;
    const sourceIp = request.event.requestContext?.identity?.sourceIp;
    return {
      interaction: route.interaction,
      ...(route.resourceType ? { resourceType: route.resourceType } : {}),
      ...(id ? { resourceId: id } : {}),
      ...(status === undefined ? {} : { status }),
      ...(error ? { errorCode: error.code } : {}),
      ...(auth?.clientId ? { clientId: auth.clientId } : {}),
      ...(auth?.fhirUser ? { fhirUser: auth.fhirUser } : {}),
      ...(auth?.patient ? { patient: auth.patient } : {}),
      ...(sourceIp ? { sourceIp } : {}),
      // API Gateway's request id; Lambda's when the event has none. Never the client's Interaction-Id.
      requestId: request.event.requestContext?.requestId || request.context.awsRequestId,
      ...(request.internal.interactionId ? { interactionId: request.internal.interactionId } : {}),
      ...(status !== undefined && request.internal.disclosed ? { disclosed: request.internal.disclosed } : {}),
      recorded: new Date().toISOString(),
      observer: config().serviceName,
    };
  };
  const record = async (request: ApiRequest): Promise<void> => {
    request.internal.audited = true;
    const status = request.response?.statusCode ?? 500;
    await (await trail()).append(auditEvent(facts(request, status, resourceId(request, status))));
  };
  return {
    name: 'audit-trail',
    before: (request) => {
      if (!route.resourceType) return;
      request.internal.auditIntent = async (id) => {
        try {
          await (await trail()).append(auditEvent(facts(request, undefined, id)));
        } catch (cause) {
          throw unavailable('audit-intent-failed', cause);
        }
      };
    },
    after: async (request) => {
      if (!route.resourceType) return;
      try {
        await record(request);
      } catch (cause) {
        throw unavailable('audit-write-failed', cause);
      }
    },
    onError: async (request) => {
      if (!route.resourceType || request.internal.audited) return;
      await record(request).catch((cause: unknown) => {
        request.internal.auditFailed = true;
        logFailure('audit-write-failed', cause);
      });
    },
  };
}
