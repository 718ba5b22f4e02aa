/**
 * A counting front, in a process of its own, to the local stack's DynamoDB Local (a JVM, so
 * never in the gateway's process): every call by operation and table, with the bytes each way,
 * and the JVM's CPU read from /proc (Linux). Run by `startDynamoProcess(endpoint)`; answers
 * `stats`, `reset`, `count` and `pipe` over IPC.
 *
 * Counting parses each HTTP call and makes it again upstream, which costs this process more CPU
 * per call than a read costs the JVM. The throughput runs need no counts, only the CPU and the
 * connections, so there (`pipe`) new connections are spliced to the JVM byte for byte: the hop
 * stays, at a fraction of its cost, and its CPU is still measured and reported apart.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect, createServer } from 'node:net';

export interface DynamoStats {
  /** Calls by `Operation Table`. */
  calls: Record<string, number>;
  requestBytes: number;
  responseBytes: number;
  /** CPU the emulator's JVM used (user + system), microseconds; 0 where /proc cannot tell. */
  cpuUs: number;
  /** CPU this counting front used (user + system), microseconds: a hop the deployed API does not have. */
  frontCpuUs: number;
  /** TCP connections the handlers opened to the front (a reused keep-alive socket counts once). */
  connections: number;
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

const ownCpuUs = () => { const { user, system } = process.cpuUsage(); return user + system; };
const zero = (): DynamoStats => ({ calls: {}, requestBytes: 0, responseBytes: 0, cpuUs: 0, frontCpuUs: 0, connections: 0 });
let stats = zero();
let cpuAtReset = emulatorCpuUs();
let ownCpuAtReset = ownCpuUs();

const counter = createHttpServer((req, res) => {
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
counter.keepAliveTimeout = 60_000;

let counting = true;
/** Open connections by the way they are served. */
const open = { count: new Set<Socket>(), pipe: new Set<Socket>() };
const front = createServer((socket) => {
  stats.connections += 1;
  const mine = counting ? open.count : open.pipe;
  mine.add(socket);
  socket.on('close', () => mine.delete(socket));
  if (counting) {
    counter.emit('connection', socket);
    return;
  }
  const upstream = connect({ port: Number(target.port), host: target.hostname, noDelay: true });
  socket.setNoDelay(true); // as http does: no Nagle wait between a call's head and body
  socket.on('error', () => upstream.destroy());
  upstream.on('error', () => socket.destroy());
  socket.pipe(upstream).pipe(socket);
});
await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));

/**
 * Switches how connections are served: those of the other way are closed, so the clients' next
 * calls come on new ones (the bench switches between phases, with no call in flight).
 */
function serve(mode: 'count' | 'pipe'): void {
  counting = mode === 'count';
  for (const socket of counting ? open.pipe : open.count) socket.destroy();
}

process.on('message', (message: string) => {
  if (message === 'count' || message === 'pipe') serve(message);
  if (message === 'reset') {
    stats = zero();
    cpuAtReset = emulatorCpuUs();
    ownCpuAtReset = ownCpuUs();
  }
  process.send?.({ ...stats, cpuUs: emulatorCpuUs() - cpuAtReset, frontCpuUs: ownCpuUs() - ownCpuAtReset });
});
process.send?.({ endpoint: `http://127.0.0.1:${(front.address() as AddressInfo).port}` });
