import { ApiError, operationOutcome } from '@health-api/core';
import httpErrorHandler from '@middy/http-error-handler';
import { logger } from '../logging/logger.js';
import type { ApiMiddleware } from '../request-state.js';

/** Any error as an ApiError: ours pass through, anything else is an opaque 500. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof Error && error.name === 'TimeoutError' && (error.cause as { package?: string } | undefined)?.package === '@middy/core') {
    return new ApiError('GATEWAY_TIMEOUT', { reason: 'deadline' });
  }
  return new ApiError('INTERNAL_ERROR', { reason: error instanceof Error ? error.name : 'non-error', cause: error });
}

/**
 * Errors as FHIR OperationOutcome bodies. Our mapper turns the error into an exposed HTTP error
 * whose message is the OperationOutcome; @middy/http-error-handler then writes the response.
 * Its default logger prints the raw event with console.error, so it gets one that logs the
 * error's class and code only.
 */
export function errorResponse(): ApiMiddleware[] {
  const toHttpError: ApiMiddleware = {
    name: 'error-to-operation-outcome',
    onError: (request) => {
      const error = toApiError(request.error);
      if (error.code === 'INTERNAL_ERROR') {
        const original = error.cause instanceof Error ? error.cause : undefined;
        // The stack without its first line: the message may quote input.
        logger.error('unhandled error', { errorName: error.reason, stack: original?.stack?.split('\n').slice(1).join('\n') });
      }
      request.error = Object.assign(error, {
        statusCode: error.status,
        expose: true,
        message: JSON.stringify(operationOutcome(error.code, error.fields)),
      });
    },
  };
  const writeResponse = httpErrorHandler({
    logger: (error: ApiError) => logger.debug('error answered', { code: error.code, status: error.status }),
  }) as ApiMiddleware;
  return [writeResponse, toHttpError];
}
