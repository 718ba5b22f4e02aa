import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { baseUrlOf } from './base-url.js';

const event = (path: string, domainName: string | undefined, calledPath: string | undefined) =>
  ({ path, requestContext: { domainName, path: calledPath } }) as unknown as APIGatewayProxyEvent;

describe('base URL', () => {
  it.each([
    ['execute-api with its stage', event('/v1/Patient', 'abc123.execute-api.ap-southeast-2.amazonaws.com', '/prod/v1/Patient'), 'https://abc123.execute-api.ap-southeast-2.amazonaws.com/prod'],
    ['a custom domain without base path', event('/v1/Patient', 'api.health.example.nz', '/v1/Patient'), 'https://api.health.example.nz'],
    ['a custom domain with a base path', event('/v1/Patient', 'api.health.example.nz', '/fhir/v1/Patient'), 'https://api.health.example.nz/fhir'],
    ['the local gateway', event('/v1/Patient', 'localhost:8443', '/v1/Patient'), 'https://localhost:8443'],
  ])('%s', (_name, input, expected) => {
    expect(baseUrlOf(input)).toBe(expected);
  });

  it.each([undefined, 'evil.example/x', 'a b', 'host:port', '-bad.example'])('stays relative for domain %j', (domain) => {
    expect(baseUrlOf(event('/v1/Patient', domain, '/v1/Patient'))).toBe('');
  });
});
