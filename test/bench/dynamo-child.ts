/**
 * The bench's DynamoDB emulator in a process of its own, so its CPU is not the gateway's: the
 * local stack's emulator behind a counting front (every call by operation and table, with the
 * bytes each way). Run by `startDynamoChild()`; answers `stats` and `reset` over IPC.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDynalite } from '../../packages/local/src/dynalite.js';

export interface DynamoStats {
  /** Calls by `Operation Table`. */
  calls: Record<string, number>;
  requestBytes: number;
  responseBytes: number;
  /** CPU this process used (user + system), microseconds. */
  cpuUs: number;
}

const dynamo = await startDynalite();
const target = new URL(dynamo.endpoint);
let stats: DynamoStats = { calls: {}, requestBytes: 0, responseBytes: 0, cpuUs: 0 };
let cpuAtReset = process.cpuUsage();

const front = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '?';
    let table = '?';
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { TableName?: string; RequestItems?: Record<string, unknown>; TransactItems?: unknown[] };
      table = parsed.TableName ?? Object.keys(parsed.RequestItems ?? {}).join('+') ?? (parsed.TransactItems ? 'transaction' : '?');
    } catch {
      // not JSON: counted under '?'
    }
    const key = `${operation} ${table}`;
    stats.calls[key] = (stats.calls[key] ?? 0) + 1;
    stats.requestBytes += body.length;
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.on('data', (chunk: Buffer) => { stats.responseBytes += chunk.length; res.write(chunk); });
      answer.on('end', () => res.end());
    });
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  });
});
front.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));

process.on('message', (message: string) => {
  if (message === 'reset') {
    stats = { calls: {}, requestBytes: 0, responseBytes: 0, cpuUs: 0 };
    cpuAtReset = process.cpuUsage();
  }
  const cpu = process.cpuUsage(cpuAtReset);
  process.send?.({ ...stats, cpuUs: cpu.user + cpu.system });
});
process.send?.({ endpoint: `http://127.0.0.1:${(front.address() as AddressInfo).port}` });
