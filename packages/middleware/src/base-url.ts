import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A DNS name with an optional port: what API Gateway (or the local gateway) puts in `domainName`. */
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?$/;

/**
 * The absolute URL the caller reached the API at, without the resource path: the gateway's
 * domain, then whatever stands before the resource path in the path the caller sent (the stage
 * on an execute-api URL, the base path mapping on a custom domain, nothing locally). Built from
 * the gateway's request context, never from a client's Host or Forwarded header. Without a
 * usable domain the URLs stay relative to the request.
 */
export function baseUrlOf(event: Pick<APIGatewayProxyEvent, 'path' | 'requestContext'>): string {
  const { domainName, path: calledPath } = event.requestContext ?? {};
  if (typeof domainName !== 'string' || !HOST.test(domainName)) return '';
  const prefix = typeof calledPath === 'string' && calledPath.endsWith(event.path) ? calledPath.slice(0, calledPath.length - event.path.length) : '';
  return `https://${domainName}${prefix}`;
}
