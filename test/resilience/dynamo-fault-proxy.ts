/**
 * A fault-injecting HTTP proxy between the handlers and DynamoDB Local: every DynamoDB call the
 * handlers make goes through it, so a test can make DynamoDB unreachable, throttle, stall or
 * slow down, for all calls or for one operation on one table only. Faults are real: the SDK
 * meets refused and reset connections, requests that never answer, and DynamoDB's own
 * throttling error, and applies its own timeouts and retry strategy to them.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  /** Forward after a pause. */
  | { kind: 'delay'; ms: number }
  /** Never forward nor answer: the caller's own timeout has to end it. */
  | { kind: 'stall' }
  /** Cut the connection mid-request (the caller sees ECONNRESET). */
  | { kind: 'reset' }
  /** Answer as DynamoDB does when a table's provisioned throughput is used up. */
  | { kind: 'throttle' };

/** One DynamoDB call as the proxy saw it: `PutItem` on `Resources`, say. */
export interface DynamoCall {
  operation: string;
  table: string;
}

export type FaultRule = (call: DynamoCall) => Fault | undefined;

export interface DynamoFaultProxy {
  endpoint: string;
  /** Every call seen, faulty or not, in order. */
  calls: DynamoCall[];
  /** Applies `rule` to every call from now on (replacing any earlier rule). */
  inject: (rule: FaultRule) => void;
  /** Forwards everything again. */
  heal: () => void;
  /** Stops listening and cuts every connection: DynamoDB is unreachable (ECONNREFUSED). */
  stop: () => Promise<void>;
  /** Listens again on the same port. */
  start: () => Promise<void>;
  close: () => Promise<void>;
}

const THROTTLED_BODY = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
});

async function readAll(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function callOf(incoming: IncomingMessage, body: Buffer): DynamoCall {
  const target = String(incoming.headers['x-amz-target'] ?? '');
  let table = '';
  try {
    table = String((JSON.parse(body.toString('utf8')) as { TableName?: unknown }).TableName ?? '');
  } catch {
    // not JSON: no table
  }
  return { operation: target.split('.').pop() ?? '', table };
}

/** Starts the proxy on loopback in front of `upstream` (DynamoDB Local's endpoint), on `port` (0: any free one). */
export async function startDynamoFaultProxy(upstream: string, port = 0): Promise<DynamoFaultProxy> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const calls: DynamoCall[] = [];
  let rule: FaultRule = () => undefined;

  const forward = (incoming: IncomingMessage, body: Buffer, outgoing: ServerResponse) => {
    const upstreamRequest = request({
      host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers, agent,
    }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstreamRequest.on('error', () => outgoing.destroy());
    upstreamRequest.end(body);
  };

  const server = createServer((incoming, outgoing) => {
    void readAll(incoming).then(async (body) => {
      const call = callOf(incoming, body);
      calls.push(call);
      const fault = rule(call);
      if (!fault) return forward(incoming, body, outgoing);
      switch (fault.kind) {
        case 'stall':
          return undefined; // held until the caller gives up and closes the connection
        case 'reset':
          return incoming.socket.destroy();
        case 'throttle':
          outgoing.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() });
          return outgoing.end(THROTTLED_BODY);
        case 'delay':
          await new Promise((resolve) => setTimeout(resolve, fault.ms));
          return outgoing.destroyed ? undefined : forward(incoming, body, outgoing);
      }
    }, () => outgoing.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listen(port);
  const bound = (server.address() as AddressInfo).port;
  const stop = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    calls,
    inject: (next) => { rule = next; },
    heal: () => { rule = () => undefined; },
    stop,
    start: () => listen(bound),
    close: async () => {
      if (server.listening) await stop();
      agent.destroy();
    },
  };
}
