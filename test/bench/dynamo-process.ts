import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DynamoStats } from './dynamo-child.js';

export interface DynamoProcess {
  endpoint: string;
  /** Zeroes the counts and the CPU clock. */
  reset: () => Promise<DynamoStats>;
  /** Counts and CPU since the last reset. */
  stats: () => Promise<DynamoStats>;
  /** How new connections are served: parsed and counted per call, or spliced to the emulator (CPU and connections only). */
  serve: (mode: 'count' | 'pipe') => Promise<DynamoStats>;
  close: () => Promise<void>;
}

const CHILD = fileURLToPath(new URL('./dynamo-child.ts', import.meta.url));

/** Starts dynamo-child.ts (a counting front to the emulator at `target`) in its own node process. */
export function startDynamoProcess(target: string): Promise<DynamoProcess> {
  const child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_DYNAMO_TARGET: target }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const next = () => new Promise<DynamoStats>((resolve) => child.once('message', (m) => resolve(m as DynamoStats)));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (first) => {
      const ask = (message: string) => { const answer = next(); child.send(message); return answer; };
      resolve({
        endpoint: (first as { endpoint: string }).endpoint,
        reset: () => ask('reset'),
        stats: () => ask('stats'),
        serve: (mode) => ask(mode),
        close: () => new Promise<void>((done) => { child.once('exit', () => done()); child.kill(); }),
      });
    });
  });
}
