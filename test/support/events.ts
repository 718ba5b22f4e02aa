import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

export interface EventInput {
  method?: string;
  path?: string;
  resource?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string | string[]>;
  body?: string | null;
}

/** An API Gateway REST proxy event, shaped as API Gateway sends it (single and multi-value maps). */
export function proxyEvent(input: EventInput = {}): APIGatewayProxyEvent {
  const multi = (map: Record<string, string | string[]> | undefined) =>
    map ? Object.fromEntries(Object.entries(map).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])) : null;
  const single = (map: Record<string, string | string[]> | undefined) =>
    map ? Object.fromEntries(Object.entries(map).map(([k, v]) => [k, Array.isArray(v) ? (v.at(-1) as string) : v])) : null;
  const requestId = randomUUID();
  return {
    httpMethod: input.method ?? 'GET',
    path: input.path ?? '/v1/metadata',
    resource: input.resource ?? input.path ?? '/v1/metadata',
    pathParameters: input.pathParameters ?? null,
    queryStringParameters: single(input.query),
    multiValueQueryStringParameters: multi(input.query),
    headers: single(input.headers) ?? {},
    multiValueHeaders: multi(input.headers) ?? {},
    body: input.body ?? null,
    isBase64Encoded: false,
    stageVariables: null,
    requestContext: {
      requestId,
      stage: 'test',
      domainName: 'api.example.test',
      path: `/test${input.path ?? '/v1/metadata'}`,
      httpMethod: input.method ?? 'GET',
      resourcePath: input.resource ?? input.path ?? '/v1/metadata',
      identity: { sourceIp: '203.0.113.9', apiKeyId: 'test-key-id' },
    } as APIGatewayProxyEvent['requestContext'],
  };
}

/** A Lambda context with a deadline, as the runtime gives one. */
export function lambdaContext(timeoutMs = 10_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName: 'test', functionVersion: '$LATEST', awsRequestId: randomUUID(), memoryLimitInMB: '512',
    invokedFunctionArn: 'arn:aws:lambda:ap-southeast-2:000000000000:function:test', logGroupName: '/aws/lambda/test',
    logStreamName: 'test', callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined, fail: () => undefined, succeed: () => undefined,
  };
}
