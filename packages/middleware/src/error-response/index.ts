import { ApiError, operationOutcome } from '@health-api/core';
import httpErrorHandler from '@middy/http-error-handler';
import type { isThrottlingError, isTransientError } from '@smithy/core/retry';
import { logger } from '../logging/logger.js';
import type { ApiMiddleware } from '../request-state.js';

/** Seconds a client should wait before retrying a call that met an unavailable dependency. */
const DEPENDENCY_RETRY_AFTER_SECONDS = '1';

let sdkClassification: Promise<{ isThrottlingError: typeof isThrottlingError; isTransientError: typeof isTransientError }> | undefined;

/**
 * How an AWS dependency (DynamoDB, KMS) failed, if it was throttling, a timeout or an unreachable
 * endpoint, as the SDK's own retry strategy classifies it (after its bounded retries gave up).
 * The cause chain is followed because wrappers (Powertools idempotency) keep the SDK error as cause.
 * The classification is loaded with the first error that needs it: the SDK's retry code (about
 * 90 KB) is then not in a public route's cold start, and a data route has it loaded already.
 */
async function dependencyFault(error: unknown): Promise<'throttled' | 'transient' | undefined> {
  const classify = await (sdkClassification ??= import('@smithy/core/retry'));
  for (let cause = error, depth = 0; cause instanceof Error && depth <= 5; cause = cause.cause, depth += 1) {
    const sdkError = cause as Parameters<typeof isTransientError>[0];
    if (classify.isThrottlingError(sdkError)) return 'throttled';
    if (classify.isTransientError(sdkError)) return 'transient';
  }
  return undefined;
}

/**
 * Any error as an ApiError: ours pass through, an unavailable dependency is a 503 the client may
 * retry, anything else is an opaque 500.
 */
async function toApiError(error: unknown): Promise<ApiError> {
  if (error instanceof ApiError) return error;
  if (error instanceof Error && error.name === 'TimeoutError' && (error.cause as { package?: string } | undefined)?.package === '@middy/core') {
    return new ApiError('GATEWAY_TIMEOUT', { reason: 'deadline' });
  }
  const fault = await dependencyFault(error);
  if (fault) {
    return new ApiError('SERVICE_UNAVAILABLE', { reason: `dependency-${fault}`, headers: { 'Retry-After': DEPENDENCY_RETRY_AFTER_SECONDS }, cause: error });
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
    onError: async (request) => {
      const error = await toApiError(request.error);
      if (error.code === 'SERVICE_UNAVAILABLE' && error.reason?.startsWith('dependency-')) {
        logger.warn('dependency unavailable', { fault: error.reason });
      }
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
