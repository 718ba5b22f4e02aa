/**
 * API Gateway's own refusals (no route, bad API key, throttle, quota, WAF, timeouts) answered
 * like the functions answer: a FHIR OperationOutcome from the error catalogue, with the
 * security headers, revealing no limits or routes. Plain data: the policy rules check against it.
 */
import { createHash } from 'node:crypto';
import { errorSpec, operationOutcome, type ErrorCode } from '../packages/core/src/errors';
// The module itself, not the package index: the index would pull the whole middy chain into the infra bundle.
import { SECURITY_HEADERS } from '../packages/middleware/src/response-headers/index';
import { GATEWAY_RESPONSE_CODES } from './controls';

/**
 * Gateway response headers are single-quoted static values with no escape for a quote, so a
 * value containing one (the CSP's `'none'`) cannot be sent by the gateway; the functions send it.
 */
export function gatewayHeaders(code: ErrorCode): Record<string, string> {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, 'Cache-Control': 'no-store', ...errorSpec(code).headers };
  return Object.fromEntries(Object.entries(headers)
    .filter(([, value]) => !value.includes("'"))
    .map(([name, value]) => [`gatewayresponse.header.${name}`, `'${value}'`]));
}

/** The declared gateway responses, as `aws.apigateway.Response` arguments less the API id. */
export const gatewayResponseDefinitions = Object.entries(GATEWAY_RESPONSE_CODES).map(([responseType, code]) => {
  const body = JSON.stringify(operationOutcome(code));
  return {
    responseType,
    statusCode: String(errorSpec(code).status),
    responseParameters: gatewayHeaders(code),
    responseTemplates: { 'application/json': body, 'application/fhir+json': body },
  };
});

/** Changes whenever any gateway response does: a deployment trigger. */
export const GATEWAY_RESPONSES_DIGEST = createHash('sha256').update(JSON.stringify(gatewayResponseDefinitions)).digest('hex');
