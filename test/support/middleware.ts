import { normaliseHeaders } from '../../packages/middleware/src/request-headers/index.js';
import type { ApiMiddleware, ApiRequest } from '../../packages/middleware/src/request-state.js';
import { lambdaContext, proxyEvent } from './events.js';
import type { EventInput } from './events.js';

/** A middy request as every middleware after the header normaliser gets it, for testing one middleware alone. */
export function middyRequest(input: EventInput = {}, internal: ApiRequest['internal'] = {}): ApiRequest {
  const event = proxyEvent(input);
  normaliseHeaders(event);
  return { event, context: lambdaContext(), response: null, error: null, internal };
}

/** Runs a middleware's `before` so that a synchronous throw becomes a rejection. */
export async function runBefore(middleware: ApiMiddleware, request: ApiRequest): Promise<void> {
  await middleware.before?.(request);
}
