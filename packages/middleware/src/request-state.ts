import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { AuthContext } from './jwt-auth/auth-context.js';
import type { ScopeGrant } from './smart-scopes/parse.js';

/** What the middlewares learn about one request, kept in middy's per-request `internal`. */
export interface RequestState extends Record<string, unknown> {
  startedAt?: number;
  interactionId?: string;
  /** The verified access token's claims, as authentication found them. */
  claims?: JwtPayload;
  /** The caller, built from the claims by the scope check. */
  auth?: AuthContext;
  /** The token's grants that allow this route's interaction. */
  access?: ScopeGrant[];
  /** Set once the audit record was attempted, so it is written at most once. */
  audited?: boolean;
  /** Set when an audit record could not be written, even where the call keeps its own refusal (metrics count it). */
  auditFailed?: boolean;
  /** Names of query parameters ignored under `handling=lenient` (unsafe names as `*`). */
  ignoredParameters?: string[];
  /** Writes the audit intent record of a change to the resource with this id (see the audit trail). */
  auditIntent?: (resourceId: string) => Promise<void>;
  /** References of the resources the business function disclosed (a search's matches), for the audit trail. */
  disclosed?: readonly string[];
}

export type ApiRequest = Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context, RequestState>;
export type ApiMiddleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context, RequestState>;

/**
 * Every value sent for a header. `name` is lower case: the header normaliser, first in the
 * chain, has merged every spelling of a name (request-headers/).
 */
export function headerValues(event: APIGatewayProxyEvent, name: string): string[] {
  return event.multiValueHeaders?.[name] ?? [];
}

/** A header's value: repeated values joined as HTTP joins them (refused for the headers a route reads). */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  return event.headers?.[name] ?? undefined;
}
