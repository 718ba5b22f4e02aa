/**
 * The Node.js release of the functions' Lambda runtime (infra: LAMBDA_RUNTIME). The machine's own
 * Node may be another major (20 here), and what a function costs to load and run moves with it
 * (on Node 22 the first ESM import of `node:http` also loads undici, nodejs/node#57649, which the
 * deploy build avoids: infra/esbuild-plugins.mjs). So the sections that measure what Lambda runs
 * (the chain, traced and not, and the cold start) run again on it.
 * Its binary is the registry's `node-linux-<arch>` package, pinned with its integrity in
 * ./lambda-node/package-lock.json and installed into that folder on first use: never on PATH,
 * so the tests and tools keep the machine's Node.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LAMBDA_RUNTIME } from '../../infra/controls.js';

export type LambdaNode =
  | { runtime: string; execPath: string; version: string }
  | { runtime: string; unavailable: string };

const DIR = fileURLToPath(new URL('./lambda-node/', import.meta.url));
const run = promisify(execFile);

/** The version pinned for package `name`, if any. */
function pinned(name: string): string | undefined {
  const manifest = JSON.parse(readFileSync(join(DIR, 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> };
  return manifest.optionalDependencies[name];
}

/** Lambda's Node for this machine, installed on first use; or why it cannot run here. */
export async function lambdaNode(): Promise<LambdaNode> {
  const major = /^nodejs(\d+)\.x$/.exec(LAMBDA_RUNTIME)?.[1];
  const name = `node-${process.platform}-${process.arch}`;
  const version = pinned(name);
  if (!version) return { runtime: LAMBDA_RUNTIME, unavailable: `no ${name} package: Lambda's Node is measured on Linux (x64 or arm64) only` };
  // One source for the runtime: a pin of another major would measure the wrong Node.
  if (version.split('.')[0] !== major) throw new Error(`test/bench/lambda-node pins ${name} ${version}, but the functions run on ${LAMBDA_RUNTIME}`);
  const execPath = join(DIR, 'node_modules', name, 'bin', 'node');
  const installed = () => existsSync(execPath) && (JSON.parse(readFileSync(join(DIR, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version === version;
  if (!installed()) {
    // `npm ci` checks the tarball against the lockfile's integrity; the package runs no scripts.
    await run('npm', ['ci', '--prefix', DIR, '--ignore-scripts', '--no-audit', '--no-fund'], { timeout: 600_000 });
  }
  const { stdout } = await run(execPath, ['--version']);
  return { runtime: LAMBDA_RUNTIME, execPath, version: stdout.trim() };
}
