import type { RouteDefinition } from '@health-api/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { proxyEvent } from '../support/events.js';

/** A FHIR id every path parameter accepts. */
const SAMPLE_ID = 'bench-1';

/** Headers a client sends through API Gateway; they all pass the chain's guards and validation. */
function clientHeaders(token: string | undefined): Record<string, string> {
  return {
    Host: 'api.example.org',
    Accept: 'application/fhir+json',
    'User-Agent': 'bench/1.0',
    'X-Forwarded-For': '203.0.113.9',
    'X-Forwarded-Proto': 'https',
    'X-Amzn-Trace-Id': 'Root=1-67891233-abcdef012345678912345678',
    'Interaction-Id': '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  };
}

/**
 * The proxy event API Gateway sends for a bodiless request to this route: path parameters
 * filled with a valid id, and a bearer token when the route needs one.
 */
export function routeEvent(route: RouteDefinition, token?: string): APIGatewayProxyEvent {
  const pathParameters = Object.fromEntries(Object.keys(route.schemas.path ?? {}).map((name) => [name, SAMPLE_ID]));
  return proxyEvent({
    method: route.method,
    resource: route.path,
    path: route.path.replace(/\{[^}]+\}/g, SAMPLE_ID),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    headers: clientHeaders(route.scope ? token : undefined),
  });
}

/** A token scope that grants the route's interaction. */
export function scopeFor(route: RouteDefinition): string {
  return route.scope ? `system/${route.scope.resourceType}.cruds` : '';
}
