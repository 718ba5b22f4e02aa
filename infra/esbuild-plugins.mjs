/**
 * esbuild plugins of the functions' deploy build. SST loads this file (`nodejs.plugins` in
 * infra/api.ts) and the bench builds the same bundles with it (test/bench/deploy-bundle.ts).
 * Plain JavaScript: SST runs it with node, not through TypeScript.
 */
import { isBuiltin } from 'node:module';

const NAMESPACE = 'builtin-as-commonjs';
const IMPORTS = new Set(['import-statement', 'dynamic-import']);

/**
 * Node builtins that code imports (`import`, `import()`) load as `require` loads them. For an ESM
 * import of a builtin, Node builds an ES module facade and copies every export into it, which
 * runs every lazy getter of the module: on Node 22 the first import of `node:http` (the
 * Powertools Tracer's, and the AWS SDK's for an http endpoint) also loads undici (nodejs/node#57649), about
 * 45 ms of a cold start on the bench's machine, and `node:process`, `node:fs` and `node:util` run
 * theirs. `require` returns the same object without the facade; esbuild reads the named imports
 * off it where they are used.
 * @type {import('esbuild').Plugin}
 */
export const builtinsAsCommonJs = {
  name: NAMESPACE,
  setup(build) {
    // SST's plugin bridge tests a callback's filter against a field that is not the path (SST
    // 4.17), so every callback matches everything and decides here.
    build.onResolve({ filter: /.*/ }, (args) => {
      if (!IMPORTS.has(args.kind) || !isBuiltin(args.path)) return undefined;
      return { path: args.path.startsWith('node:') ? args.path : `node:${args.path}`, namespace: NAMESPACE };
    });
    build.onLoad({ filter: /.*/ }, (args) => (args.namespace === NAMESPACE
      ? { contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }
      : undefined));
  },
};

export default [builtinsAsCommonJs];
