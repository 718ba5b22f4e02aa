/**
 * Oversized and deeply nested bodies, repeated headers, creates without an Idempotency-Key, and slow
 * (slowloris-style) requests, over HTTPS. Each limit answers at its own layer: the route's body
 * cap in the handler, the WAF body rule and API Gateway's payload limit in the gateway, the
 * header and request timeouts in the server.
 */
import { listenHttps } from '@health-api/local';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_TIMEOUTS } from '../../packages/local/src/https-server.js';
import type { Refusal, SecurityStack } from './harness.js';
import { expectNoSecretsLogged, expectRefused, observationBody, outcomeCodeOf, patientBody, sendHeaderLines, startSecurityStack } from './harness.js';

let s: SecurityStack;
let clinical: string;
beforeAll(async () => {
  s = await startSecurityStack();
  clinical = await s.token('clinical');
});
afterAll(() => s?.close());

const nestedArrays = (depth: number) => `${'['.repeat(depth)}"x"${']'.repeat(depth)}`;
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`;
/** A valid Patient with `json` as the value of `gender`. */
const withGender = (json: string) => JSON.stringify({ ...patientBody(), gender: '@' }).replace('"@"', json);

describe('oversized and deeply nested bodies', () => {
  it.each<[string, () => string | Buffer, Refusal]>([
    ['a body over the route cap (16 KB)', () => withGender(JSON.stringify('x'.repeat(17 * 1024))), { status: 413, code: 'PAYLOAD_TOO_LARGE', layer: 'handler' }],
    ['a body over the WAF body rule (64 KB)', () => withGender(JSON.stringify('x'.repeat(65 * 1024))), { status: 413, code: 'PAYLOAD_TOO_LARGE', layer: 'gateway' }],
    ['a body over API Gateway\'s 10 MB payload limit', () => Buffer.alloc(10 * 1024 * 1024 + 1, 0x20), { status: 413, code: 'PAYLOAD_TOO_LARGE', layer: 'gateway' }],
    ['arrays nested 7000 deep', () => withGender(nestedArrays(7000)), { status: 400, code: 'VALIDATION_FAILED', layer: 'handler' }],
    ['objects nested 2500 deep', () => withGender(nestedObjects(2500)), { status: 400, code: 'VALIDATION_FAILED', layer: 'handler' }],
    ['arrays nested past the route cap', () => withGender(nestedArrays(20_000)), { status: 413, code: 'PAYLOAD_TOO_LARGE', layer: 'handler' }],
    ['a thousand unknown keys', () => withGender(JSON.stringify(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i])))), { status: 400, code: 'VALIDATION_FAILED', layer: 'handler' }],
    ['a key repeated with another value', () => JSON.stringify(patientBody()).replace('"gender":"female"', '"gender":"female","gender":{"$ne":null}'), { status: 400, code: 'VALIDATION_FAILED', layer: 'handler' }],
  ])('refuses %s', async (_name, body, expected) => {
    const before = await s.snapshot();
    const response = await s.call('/Patient', { method: 'POST', headers: { authorization: `Bearer ${clinical}` }, body: body() });
    await expectRefused(s, response, before, expected);
  });
});

describe('repeated headers', () => {
  const json: [string, string] = ['content-type', 'application/fhir+json'];
  const auth = (): [string, string] => ['authorization', `Bearer ${clinical}`];
  const key = (): [string, string] => ['idempotency-key', crypto.randomUUID()];
  const duplicate: Refusal = { status: 400, code: 'DUPLICATE_HEADER', layer: 'handler' };

  // A second value could pass a check and then be what a later step uses: each is refused before authentication.
  it.each<[string, () => Array<[string, string]>]>([
    ['Content-Type twice (JSON, then form)', () => [json, ['content-type', 'application/x-www-form-urlencoded'], auth(), key()]],
    ['Content-Type in two spellings', () => [['Content-Type', 'application/fhir+json'], json, auth(), key()]],
    ['Accept twice', () => [json, ['accept', 'application/fhir+json'], ['accept', 'application/fhir+json'], auth(), key()]],
    ['Idempotency-Key twice', () => [json, auth(), key(), key()]],
    ['If-None-Exist twice', () => [json, auth(), key(), ['if-none-exist', 'identifier=a'], ['If-None-Exist', 'identifier=b']]],
    ['Interaction-Id twice', () => [json, auth(), key(), ['interaction-id', crypto.randomUUID()], ['interaction-id', crypto.randomUUID()]]],
  ])('a create with %s is refused 400 DUPLICATE_HEADER, nothing written', async (_name, lines) => {
    const before = await s.snapshot();
    const response = await sendHeaderLines(s, '/Patient', { method: 'POST', lines: lines(), body: JSON.stringify(patientBody()) });
    await expectRefused(s, response, before, duplicate);
  });

  it('an update with If-Match twice is refused 400 DUPLICATE_HEADER, the resource unchanged', async () => {
    const { patientId } = await s.seedPatient();
    const before = await s.snapshot();
    const response = await sendHeaderLines(s, `/Patient/${patientId}`, {
      method: 'PUT', lines: [json, auth(), ['if-match', 'W/"1"'], ['if-match', 'W/"2"']], body: JSON.stringify({ ...patientBody(), id: patientId }),
    });
    await expectRefused(s, response, before, duplicate);
  });

  it('a header the route does not read may repeat', async () => {
    const response = await sendHeaderLines(s, '/Patient', {
      method: 'POST', lines: [json, auth(), key(), ['x-client-note', 'a'], ['x-client-note', 'b']], body: JSON.stringify(patientBody()),
    });
    expect(response.status).toBe(201);
    await response.arrayBuffer();
  });
});

describe('creates without an Idempotency-Key', () => {
  // Standard FHIR clients send no Idempotency-Key: the create works, and gains nothing else from
  // the missing header. It is still authenticated, scoped, validated and audited.
  it('creates a Patient and an Observation (201), each with its intent and outcome audit records and no idempotency record', async () => {
    const { patientId } = await s.seedPatient();
    for (const [path, body] of [['/Patient', patientBody()], ['/Observation', observationBody(patientId)]] as const) {
      const before = await s.snapshot();
      const response = await s.call(path, { method: 'POST', headers: { authorization: `Bearer ${clinical}`, 'idempotency-key': undefined }, body: JSON.stringify(body) });
      expect(response.status, path).toBe(201);
      const { id } = await response.json() as { id: string };
      expect(response.headers.get('location')).toBe(`${s.stack.baseUrl}${path}/${id}/_history/1`);
      const after = await s.snapshot();
      expect(after.resources.length - before.resources.length).toBe(1);
      expect(after.idempotency).toEqual(before.idempotency);
      expect(after.auditCount - before.auditCount).toBe(2);
    }
    expectNoSecretsLogged(s);
  });

  it.each<[string, Record<string, string | undefined>, string | undefined, Refusal]>([
    ['no token', {}, JSON.stringify(patientBody()), { status: 401, code: 'MISSING_TOKEN', layer: 'handler' }],
    ['a read-only token', { reader: '1' }, JSON.stringify(patientBody()), { status: 403, code: 'INSUFFICIENT_SCOPE', layer: 'handler' }],
    ['an invalid body', { clinical: '1' }, JSON.stringify({ ...patientBody(), gender: 'x' }), { status: 400, code: 'VALIDATION_FAILED', layer: 'handler' }],
  ])('still refuses a keyless create with %s, writing nothing but its audit record', async (_name, who, body, refusal) => {
    const token = who.clinical ? clinical : who.reader ? await s.token('reader') : undefined;
    const before = await s.snapshot();
    const response = await s.call('/Patient', { method: 'POST', headers: { 'idempotency-key': undefined, ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body ? { body } : {}) });
    await expectRefused(s, response, before, refusal);
  });
});

/** What a raw TLS client got before the server closed the connection. */
interface RawAnswer { status: number; body: string; linesSent: number }

/**
 * Opens a TLS connection, sends `head`, then one more line every `everyMs` for as long as the
 * server keeps the connection open: a client that never finishes its request.
 */
function dribble(port: number, head: string, line: string, everyMs: number): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let received = '';
    let linesSent = 0;
    let timer: NodeJS.Timeout | undefined;
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: s.stack.caPem }, () => {
      socket.write(head);
      timer = setInterval(() => { if (socket.writable) { socket.write(line); linesSent += 1; } }, everyMs);
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { received += chunk; });
    socket.on('error', () => undefined); // the server may reset after answering
    socket.on('close', () => {
      clearInterval(timer);
      const [head = '', body = ''] = received.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      if (!status) reject(new Error('the connection closed without an answer'));
      else resolve({ status, body, linesSent });
    });
  });
}

describe('slow requests (slowloris)', () => {
  it('the gateway\'s server bounds header and request time well under Node\'s defaults', async () => {
    const listening = await listenHttps(s.stack.parts.tls, 0);
    await listening.close();
    expect(REQUEST_TIMEOUTS).toEqual({ headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 });
    expect(listening.server.headersTimeout).toBe(REQUEST_TIMEOUTS.headersTimeout);
    expect(listening.server.requestTimeout).toBe(REQUEST_TIMEOUTS.requestTimeout);
  });

  /** The same gateway and handlers with the timeouts scaled down to test speed. */
  const fastTimeoutGateway = async () =>
    (await s.extraGateway({ server: { headersTimeout: 400, requestTimeout: 800, connectionsCheckingInterval: 50 } })).port;

  it.each([
    ['headers that never end', (key: string) => `GET /v1/metadata HTTP/1.1\r\nHost: localhost\r\nx-api-key: ${key}\r\n`, 'x-slow: 1\r\n'],
    ['a body that never ends', (key: string) => `POST /v1/Patient HTTP/1.1\r\nHost: localhost\r\nx-api-key: ${key}\r\nAuthorization: Bearer ${clinical}\r\nContent-Type: application/fhir+json\r\nContent-Length: 100000\r\n\r\n{"resourceType":"Patient",`, ' '],
  ])('%s: the connection is answered 400 MALFORMED_REQUEST and closed, nothing reaches a handler', async (_name, head, line) => {
    const port = await fastTimeoutGateway();
    const before = await s.snapshot();
    const answer = await dribble(port, head(s.stack.apiKeys.standard as string), line, 50);
    expect(answer.linesSent).toBeGreaterThan(0); // it was still sending when cut
    expect(answer.status).toBe(400);
    expect(outcomeCodeOf(answer.body)).toBe('MALFORMED_REQUEST');
    const after = await s.snapshot();
    expect(after).toEqual(before);
    expectNoSecretsLogged(s);
  });
});
