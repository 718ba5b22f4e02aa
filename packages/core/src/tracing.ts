import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The one Powertools Tracer of a function container. Powertools enables it only inside Lambda
 * (where the function's X-Ray tracing is Active); locally and in tests it does nothing unless
 * the environment says it runs in Lambda. HTTP calls are not captured globally: the traces hold
 * only what is named here, the AWS SDK clients and the JWKS download, and never a URL's query,
 * a header or a body.
 */
export const tracer = new Tracer({ serviceName: process.env.SERVICE_NAME ?? 'secure-health-api', captureHTTPsRequests: false });

/** An AWS SDK v3 client whose calls appear as X-Ray subsegments (service, operation, table or key; no payload). */
export const traced = <T>(client: T): T => tracer.captureAWSv3Client(client);

/** Runs `work` in a subsegment named `name` of the current trace, flagged when it fails. */
export async function inSubsegment<T>(name: string, work: () => Promise<T>): Promise<T> {
  const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!parent) return work();
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
