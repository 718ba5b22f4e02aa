/**
 * A counting front, in a process of its own, to the local stack's DynamoDB Local (a JVM, so
 * never in the gateway's process): every call by operation and table, with the bytes each way,
 * and the JVM's CPU read from /proc (Linux). Run by `startDynamoProcess(endpoint)`; answers
 * `stats` and `reset` over IPC.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DynamoStats {
  /** Calls by `Operation Table`. */
  calls: Record<string, number>;
  requestBytes: number;
  responseBytes: number;
  /** CPU the emulator's JVM used (user + system), microseconds; 0 where /proc cannot tell. */
  cpuUs: number;
}

const target = new URL(process.env.BENCH_DYNAMO_TARGET ?? '');

/** The JVM listening on the target's port: the process whose command line is DynamoDB Local's with `-port <port>`. */
function emulatorPid(): string | undefined {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const at = args.indexOf('-port');
      if (args.some((a) => a.includes('DynamoDBLocal')) && at >= 0 && args[at + 1] === target.port) return pid;
    } catch {
      // a process that ended while we looked
    }
  }
  return undefined;
}

const pid = emulatorPid();
/** utime + stime of the JVM in microseconds (clock ticks of 10 ms on Linux). */
function emulatorCpuUs(): number {
  if (!pid) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

let stats: DynamoStats = { calls: {}, requestBytes: 0, responseBytes: 0, cpuUs: 0 };
let cpuAtReset = emulatorCpuUs();

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
    cpuAtReset = emulatorCpuUs();
  }
  process.send?.({ ...stats, cpuUs: emulatorCpuUs() - cpuAtReset });
});
process.send?.({ endpoint: `http://127.0.0.1:${(front.address() as AddressInfo).port}` });
