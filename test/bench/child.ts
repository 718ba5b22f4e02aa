import { spawn } from 'node:child_process';

export interface ChildRun {
  /** What the child wrote on file descriptor 3. */
  result: string;
  /** From spawn to exit, in milliseconds. */
  wallMs: number;
}

/**
 * Runs `node <args>` and collects what it writes on fd 3. Its stdout (handler logs) is
 * discarded, stderr is kept for the error message; a child over its time bound is killed.
 * `node` is the binary: this process's own unless given (Lambda's release, lambda-node.ts).
 */
export function runNode(args: readonly string[], options: { env: NodeJS.ProcessEnv; timeoutMs: number; node?: string }): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(options.node ?? process.execPath, args, { env: options.env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdio[3]?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      if (code === 0) resolve({ result: Buffer.concat(out).toString('utf8'), wallMs });
      else reject(new Error(`node ${args.join(' ')} ended with ${signal ?? code}: ${Buffer.concat(err).toString('utf8').slice(-2000)}`));
    });
  });
}
