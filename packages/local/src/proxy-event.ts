import type { RouteDefinition } from '@health-api/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** Stage name of the local API (the deployed one is named by the infra). */
export const LOCAL_STAGE = 'local';

export interface ProxyEventInput {
  request: IncomingMessage;
  route: RouteDefinition;
  path: string;
  query: URLSearchParams;
  pathParameters: Record<string, string> | null;
  body: Buffer;
  requestId: string;
  sourceIp: string;
  apiKeyId: string | null;
  receivedAt: Date;
  /** The gateway's own host (and port), as API Gateway names its domain: never the client's Host header. */
  domainName: string;
}

type Multi = Record<string, string[]>;

/** Single-value view of a multi-value map: API Gateway keeps the last value. */
function lastValues(multi: Multi): Record<string, string> {
  return Object.fromEntries(Object.entries(multi).map(([name, values]) => [name, values.at(-1) as string]));
}

/** Header names as the client wrote them, each with every value it sent, in order. */
function headersOf(request: IncomingMessage): Multi {
  const multi: Multi = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    (multi[request.rawHeaders[i] as string] ??= []).push(request.rawHeaders[i + 1] as string);
  }
  return multi;
}

function queryOf(query: URLSearchParams): Multi | null {
  const multi: Multi = {};
  for (const [name, value] of query) (multi[name] ??= []).push(value);
  return Object.keys(multi).length > 0 ? multi : null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text bodies arrive as strings; bytes that are not UTF-8 arrive base64-encoded and flagged. */
function bodyOf(body: Buffer): Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'> {
  if (body.length === 0) return { body: null, isBase64Encoded: false };
  try {
    return { body: utf8.decode(body), isBase64Encoded: false };
  } catch {
    return { body: body.toString('base64'), isBase64Encoded: true };
  }
}

/** `24/Nov/2026:06:55:02 +0000`, API Gateway's `requestTime`. */
function clfTime(date: Date): string {
  const [, day, month, year, time] = date.toUTCString().split(' ') as string[];
  return `${day}/${month}/${year}:${time} +0000`;
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
  const headers = headersOf(input.request);
  const query = queryOf(input.query);
  const method = input.route.method;
  const nulls = {
    accessKey: null, accountId: null, apiKey: null, caller: null, cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null, user: null, userArn: null,
  };
  return {
    resource: input.route.path,
    path: input.path,
    httpMethod: method,
    headers: lastValues(headers),
    multiValueHeaders: headers,
    queryStringParameters: query && lastValues(query),
    multiValueQueryStringParameters: query,
    pathParameters: input.pathParameters,
    stageVariables: null,
    ...bodyOf(input.body),
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
      requestTimeEpoch: input.receivedAt.getTime(),
      resourceId: input.route.id,
      resourcePath: input.route.path,
      stage: LOCAL_STAGE,
      identity: {
        ...nulls,
        apiKeyId: input.apiKeyId,
        clientCert: clientCertOf(input.request),
        sourceIp: input.sourceIp,
        userAgent: input.request.headers['user-agent'] ?? null,
      },
    },
  };
}

/** The Lambda context the runtime would pass: its deadline follows the route's timeout. */
export function lambdaContext(route: RouteDefinition): Context {
  const deadline = Date.now() + route.timeoutSeconds * 1000;
  const name = `health-api-local-${route.id}`;
  return {
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: String(route.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
