import type { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Where Powertools would trace: in Lambda (AWS_EXECUTION_ENV), not turned off, not SAM local.
 * Elsewhere the Tracer is not even loaded: it brings aws-xray-sdk-core, whose context tracking
 * hooks every promise of the process (about a third of the chain's cost per request when
 * measured), for traces that would go nowhere.
 */
const tracingWanted = (process.env.AWS_EXECUTION_ENV ?? '').startsWith('AWS_Lambda_')
  && process.env.POWERTOOLS_TRACE_ENABLED !== 'false'
  && process.env.AWS_SAM_LOCAL !== 'true';

/**
 * The one Powertools Tracer of a function container, or undefined where nothing is traced.
 * HTTP calls are not captured globally: the traces hold only what is named here, the AWS SDK
 * clients and the JWKS download, and never a URL's query, a header or a body.
 */
export const tracer: Tracer | undefined = tracingWanted
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: process.env.SERVICE_NAME ?? 'secure-health-api', captureHTTPsRequests: false })
  : undefined;

/** A segment or subsegment of the current trace. */
export type TraceSegment = NonNullable<ReturnType<Tracer['getSegment']>>;

/** An AWS SDK v3 client whose calls appear as X-Ray subsegments (service, operation, table or key; no payload). */
export const traced = <T>(client: T): T => (tracer ? tracer.captureAWSv3Client(client) : client);

/** Runs `work` in a subsegment named `name` of the current trace, flagged when it fails. */
export async function inSubsegment<T>(name: string, work: () => Promise<T>): Promise<T> {
  const parent = tracer?.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!tracer || !parent) return work();
  const subsegment = parent.addNewSubsegment(name);
  tracer.setSegment(subsegment);
  try {
    return await work();
  } catch (error) {
    subsegment.addErrorFlag();
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(parent);
  }
}
