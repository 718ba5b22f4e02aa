import type { RouteDefinition } from '@health-api/core';
import { setOwn } from '@health-api/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RequestHead } from './request-head.js';
import { headerValues } from './request-head.js';
import { clfTime } from './request-time.js';

/** Stage name of the local API (the deployed one is named by the infra). */
export const LOCAL_STAGE = 'local';

export interface ProxyEventInput {
  request: IncomingMessage;
  head: RequestHead;
  route: RouteDefinition;
  path: string;
  /** The query string's parameters; null without one. */
  query: URLSearchParams | null;
  pathParameters: Record<string, string> | null;
  body: Buffer;
  requestId: string;
  sourceIp: string;
  apiKeyId: string | null;
  /** Epoch milliseconds. */
  receivedAt: number;
  /** The gateway's own host (and port), as API Gateway names its domain: never the client's Host header. */
  domainName: string;
}

type Multi = Record<string, string[]>;

/** Single-value view of a multi-value map: API Gateway keeps the last value. */
function lastValues(multi: Multi): Record<string, string> {
  return Object.fromEntries(Object.entries(multi).map(([name, values]) => [name, values.at(-1) as string]));
}

function queryOf(params: URLSearchParams | null): Multi | null {
  if (!params) return null;
  const multi: Multi = {};
  for (const [name, value] of params) {
    if (Object.hasOwn(multi, name)) (multi[name] as string[]).push(value);
    else setOwn(multi, name, [value]);
  }
  return Object.keys(multi).length > 0 ? multi : null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text bodies arrive as strings; bytes that are not UTF-8 arrive base64-encoded and flagged. */
const NO_BODY: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'> = { body: null, isBase64Encoded: false };

function bodyOf(body: Buffer): Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'> {
  if (body.length === 0) return NO_BODY;
  try {
    return { body: utf8.decode(body), isBase64Encoded: false };
  } catch {
    return { body: body.toString('base64'), isBase64Encoded: true };
  }
}

type ClientCert = APIGatewayProxyEvent['requestContext']['identity']['clientCert'];

/**
 * The client certificate as API Gateway passes it on a mutual-TLS custom domain: only one the
 * TLS handshake verified against the truststore (the local CA), else none.
 */
function clientCertOf(request: IncomingMessage): ClientCert {
  const socket = request.socket as Partial<TLSSocket>;
  const peer = socket.authorized ? socket.getPeerX509Certificate?.() : undefined;
  if (!peer) return null;
  return {
    clientCertPem: peer.toString(),
    subjectDN: peer.subject.replaceAll('\n', ','),
    issuerDN: peer.issuer.replaceAll('\n', ','),
    serialNumber: peer.serialNumber,
    validity: { notBefore: peer.validFrom, notAfter: peer.validTo },
  };
}

/**
 * A REST API (v1) Lambda proxy event, shaped as API Gateway builds it. The API key's value is
 * left out of `identity` (only its id is given): handlers never need the secret.
 */
export function proxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const query = queryOf(input.query);
  const method = input.route.method;
  const body = bodyOf(input.body);
  return {
    resource: input.route.path,
    path: input.path,
    httpMethod: method,
    headers: input.head.headers,
    multiValueHeaders: input.head.multiValueHeaders,
    queryStringParameters: query && lastValues(query),
    multiValueQueryStringParameters: query,
    pathParameters: input.pathParameters,
    stageVariables: null,
    body: body.body,
    isBase64Encoded: body.isBase64Encoded,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      domainName: input.domainName,
      extendedRequestId: input.requestId,
      httpMethod: method,
      // As on a custom domain: the path the client sent, with no stage in it.
      path: input.path,
      protocol: `HTTP/${input.request.httpVersion}`,
      requestId: input.requestId,
      requestTime: clfTime(input.receivedAt),
      requestTimeEpoch: input.receivedAt,
      resourceId: input.route.id,
      resourcePath: input.route.path,
      stage: LOCAL_STAGE,
      identity: {
        accessKey: null, accountId: null, apiKey: null, caller: null, cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null, user: null, userArn: null,
        apiKeyId: input.apiKeyId,
        clientCert: clientCertOf(input.request),
        sourceIp: input.sourceIp,
        // Node's `headers['user-agent']`: the first one sent.
        userAgent: headerValues(input.request, 'user-agent')[0] ?? null,
      },
    },
  };
}

/** What a route's contexts share, named once per route. */
interface RouteNames { functionName: string; invokedFunctionArn: string; memoryLimitInMB: string; logGroupName: string }
const routeNames = new WeakMap<RouteDefinition, RouteNames>();

function namesOf(route: RouteDefinition): RouteNames {
  let names = routeNames.get(route);
  if (!names) {
    const name = `health-api-local-${route.id}`;
    names = { functionName: name, invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`, memoryLimitInMB: String(route.memoryMb), logGroupName: `/aws/lambda/${name}` };
    routeNames.set(route, names);
  }
  return names;
}

/** The runtime's own-property `getRemainingTimeInMillis` (callable detached, as in Lambda); unnamed, so no name is set on it per request. */
const remainingTime = (deadline: number) => () => Math.max(0, deadline - Date.now());

/** The Lambda context the runtime would pass: its deadline follows the route's timeout. */
export function lambdaContext(route: RouteDefinition): Context {
  const names = namesOf(route);
  return {
    functionName: names.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: names.invokedFunctionArn,
    memoryLimitInMB: names.memoryLimitInMB,
    awsRequestId: randomUUID(),
    logGroupName: names.logGroupName,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: remainingTime(Date.now() + route.timeoutSeconds * 1000),
    done: ignore,
    fail: ignore,
    succeed: ignore,
  };
}

/** The legacy callbacks: a proxy handler answers by its promise. */
const ignore = (): void => undefined;
