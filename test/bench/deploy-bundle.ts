/**
 * Functions bundled as a deploy bundles them, and what loading one loads: the cold-start bench
 * measures these bundles, and a test keeps lazily loaded code out of their import.
 */
import type { RouteDefinition } from '@health-api/core';
import { handlerModule } from '@health-api/functions';
import type { BuildOptions, Metafile } from 'esbuild';
import { build } from 'esbuild';
import { join, resolve } from 'node:path';
import plugins from '../../infra/esbuild-plugins.mjs';

/**
 * As SST builds our nodejs22.x functions for deploy (infra/api.ts: ESM with code splitting, so
 * code a route loads lazily stays out of its entry chunk, and the same esbuild plugins): bundled,
 * minified, tree-shaken ESM with names kept and its createRequire banner; every package bundled
 * (SST only leaves out sharp and pg-native, so the AWS SDK is bundled rather than taken from the
 * runtime). Source maps are written next to the bundle, not inlined.
 */
const DEPLOY_OPTIONS: BuildOptions = {
  bundle: true,
  minify: true,
  treeShaking: true,
  keepNames: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  mainFields: ['module', 'main'],
  sourcemap: 'external',
  metafile: true,
  logLevel: 'silent',
  plugins,
  banner: {
    js: [
      "import { createRequire as topLevelCreateRequire } from 'module';",
      'const require = topLevelCreateRequire(import.meta.url);',
      "import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from 'url';",
      'const __filename = topLevelFileUrlToPath(import.meta.url);',
      "const __dirname = topLevelFileUrlToPath(new topLevelURL('.', import.meta.url));",
    ].join('\n'),
  },
};

/**
 * What Lambda sets for a function with X-Ray active tracing (infra/api.ts turns it on for every
 * route), so the bench loads and runs the Powertools Tracer as a deployed function does: the
 * trace header of a sampled invocation, whose subsegments go to the X-Ray daemon's address by
 * UDP (nothing listens here; sending is the function's share).
 */
export const DEPLOYED_TRACING = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  // The X-Ray SDK traces under the invocation's segment only where this is set, as in Lambda.
  LAMBDA_TASK_ROOT: '/var/task',
  _X_AMZN_TRACE_ID: 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1',
};

export interface RouteBundle {
  /** The entry chunk, which exports the handler. */
  outfile: string;
  metafile: Metafile;
}

/** Bundles a one-file function given as source (it imports only packages) into `outfile`. */
export async function bundleSource(contents: string, outfile: string): Promise<RouteBundle> {
  const { metafile } = await build({ ...DEPLOY_OPTIONS, stdin: { contents, loader: 'js', resolveDir: process.cwd() }, outfile });
  return { outfile, metafile: metafile as Metafile };
}

/** Bundles a route's handler into `<dir>/<route id>/`, its chunks beside it. */
export async function bundleRoute(route: RouteDefinition, dir: string): Promise<RouteBundle> {
  const outdir = join(dir, route.id);
  const outfile = join(outdir, `${route.id}.mjs`);
  const { metafile } = await build({
    ...DEPLOY_OPTIONS, entryPoints: [resolve(handlerModule(route))], outdir, entryNames: route.id,
    splitting: true, chunkNames: 'chunks/[name]-[hash]', outExtension: { '.js': '.mjs' },
  });
  return { outfile, metafile: metafile as Metafile };
}

/** The npm package (or our package) a bundle input comes from. */
export function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return input.startsWith('packages/') ? input.split('/').slice(0, 2).join('/') : input;
  const [first = '', second = ''] = input.slice(at + 'node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

export function largestInputs(metafile: Metafile, outfile: string): Array<{ package: string; bytes: number }> {
  const output = Object.entries(metafile.outputs).find(([path]) => resolve(path) === resolve(outfile))?.[1];
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([name, bytes]) => ({ package: name, bytes }));
}

/** The entry chunk and every chunk it imports statically, transitively: what importing it loads. */
export function importClosure(metafile: Metafile, outfile: string): Array<Metafile['outputs'][string]> {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((path) => resolve(path) === resolve(outfile));
  const seen = new Set<string>(entry ? [entry] : []);
  for (const path of seen) {
    for (const imported of outputs[path]?.imports ?? []) if (imported.kind === 'import-statement' && !imported.external && outputs[imported.path]) seen.add(imported.path);
  }
  return [...seen].flatMap((path) => outputs[path] ?? []);
}
