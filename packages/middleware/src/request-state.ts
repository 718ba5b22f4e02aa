import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { AuthContext } from './jwt-auth/auth-context.js';
import type { ScopeGrant } from './smart-scopes/parse.js';

/** What the middlewares learn about one request, kept in middy's per-request `internal`. */
export interface RequestState extends Record<string, unknown> {
  startedAt?: number;
  interactionId?: string;
  auth?: AuthContext;
  /** The token's grants that allow this route's interaction. */
  access?: ScopeGrant[];
  /** Set once the audit record was attempted, so it is written at most once. */
  audited?: boolean;
  /** Names of query parameters ignored under `handling=lenient` (unsafe names as `*`). */
  ignoredParameters?: string[];
  /** Writes the audit intent record of a change to the resource with this id (see the audit trail). */
  auditIntent?: (resourceId: string) => Promise<void>;
  /** References of the resources the business function disclosed (a search's matches), for the audit trail. */
  disclosed?: readonly string[];
}

export type ApiRequest = Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context, RequestState>;
export type ApiMiddleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context, RequestState>;

/** Case-insensitive view of every value sent for a header, from both proxy event maps. */
export function headerValues(event: APIGatewayProxyEvent, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, list] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && list) values.push(...list);
  }
  if (values.length === 0) {
    for (const [key, value] of Object.entries(event.headers ?? {})) {
      if (key.toLowerCase() === wanted && value !== undefined) values.push(value);
    }
  }
  return values;
}

export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  return headerValues(event, name)[0];
}
