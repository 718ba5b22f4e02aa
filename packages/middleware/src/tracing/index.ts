import type { RouteDefinition } from '@health-api/core';
import { ApiError, outcomeOf, refusalClassOf } from '@health-api/core';
import type { TraceSegment as Segment } from '@health-api/core/tracing';
import { tracer } from '@health-api/core/tracing';
import type { ApiMiddleware, ApiRequest } from '../request-state.js';

/**
 * One X-Ray subsegment per call (`## <route id>`) inside Lambda's own segment, annotated with
 * the route id, the outcome and the refusal class: values from the manifest and the error
 * catalogue only, so a trace can be searched by them and never holds a token, body or id. No
 * metadata is added (Powertools' own middleware would add the response and the error).
 * The AWS SDK clients and the JWKS download add their subsegments under it (core/src/tracing.ts).
 */
export function requestTracing(route: RouteDefinition): ApiMiddleware {
  const open = new WeakMap<ApiRequest, { parent: Segment; subsegment: Segment }>();
  const close = (request: ApiRequest): void => {
    if (!tracer) return;
    const segments = open.get(request);
    if (!segments) return;
    open.delete(request);
    const status = request.response?.statusCode ?? 500;
    const refusal = request.error instanceof ApiError ? refusalClassOf(request.error.code, request.error.reason) : null;
    tracer.putAnnotation('outcome', outcomeOf(status));
    if (refusal) tracer.putAnnotation('refusal', refusal);
    if (status >= 500) segments.subsegment.addFaultFlag();
    else if (status >= 400) segments.subsegment.addErrorFlag();
    segments.subsegment.close();
    tracer.setSegment(segments.parent);
  };
  return {
    name: 'request-tracing',
    before: (request) => {
      const parent = tracer?.isTracingEnabled() ? tracer.getSegment() : undefined;
      if (!tracer || !parent) return;
      const subsegment = parent.addNewSubsegment(`## ${route.id}`);
      tracer.setSegment(subsegment);
      open.set(request, { parent, subsegment });
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
      tracer.putAnnotation('route', route.id);
    },
    after: close,
    onError: close,
  };
}
