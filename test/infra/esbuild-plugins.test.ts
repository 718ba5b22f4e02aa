/**
 * The functions' esbuild plugin that loads Node builtins as `require` does: what it does to a
 * bundle, that the bundle still gets the builtins' own objects, and that SST's bridge to JS
 * plugins (which runs this file in a node process of its own during `sst deploy`) gets the same answers.
 */
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ESBUILD_PLUGINS } from '../../infra/controls.js';
import plugins from '../../infra/esbuild-plugins.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'esbuild-plugins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Every way code imports a builtin: default, named, namespace, bare name, and import().
const SOURCE = `
import http from 'node:http';
import { request } from 'https';
import * as fs from 'node:fs';
import processModule from 'process';
export const lazy = () => import('node:http');
export { http, request, fs, processModule };
`;

/** The source bundled as a function is (ESM, with SST's createRequire banner), with or without the plugins. */
async function bundle(name: string, withPlugins: boolean): Promise<{ outfile: string; metafile: Metafile }> {
  const outfile = join(dir, `${name}.mjs`);
  const { metafile } = await build({
    stdin: { contents: SOURCE, loader: 'js', resolveDir: ROOT }, outfile, bundle: true, format: 'esm', platform: 'node', metafile: true,
    logLevel: 'silent', banner: { js: "import { createRequire as topLevelCreateRequire } from 'module';\nconst require = topLevelCreateRequire(import.meta.url);" },
    plugins: withPlugins ? plugins : [],
  });
  return { outfile, metafile: metafile as Metafile };
}

const builtinImports = (metafile: Metafile) => Object.values(metafile.outputs).flatMap((o) => o.imports)
  .filter((i) => i.external && isBuiltin(i.path) && i.kind !== 'require-call').map((i) => `${i.kind} ${i.path}`).sort();

describe('infra/esbuild-plugins.mjs: builtins load as require loads them', () => {
  it('leaves no import of a builtin in the bundle, where esbuild alone keeps every one', async () => {
    expect(builtinImports((await bundle('without', false)).metafile))
      .toEqual(['dynamic-import node:http', 'import-statement https', 'import-statement node:fs', 'import-statement node:http', 'import-statement process']);
    expect(builtinImports((await bundle('with', true)).metafile)).toEqual([]);
  });

  it('gives the code the builtins\' own objects, for default, named, namespace and dynamic imports', async () => {
    const { outfile } = await bundle('run', true);
    const loaded = await import(pathToFileURL(outfile).href) as {
      http: unknown; request: unknown; fs: { readFileSync: unknown }; processModule: unknown; lazy: () => Promise<{ default: unknown; request: unknown }>;
    };
    const require = createRequire(import.meta.url);
    expect(loaded.http).toBe(require('node:http'));
    expect(loaded.request).toBe(require('node:https').request);
    expect(loaded.fs.readFileSync).toBe(require('node:fs').readFileSync);
    expect(loaded.processModule).toBe(process);
    const lazy = await loaded.lazy();
    expect(lazy.default).toBe(require('node:http'));
    expect(lazy.request).toBe(require('node:http').request);
  });

  it('answers SST\'s plugin bridge as esbuild: builtins imported by import statements resolve to the shim, nothing else is touched', async () => {
    // The JS side of SST's bridge (the Go build sends it every resolve and load as a JSON line).
    const bridge = spawn(process.execPath, [join(ROOT, '.sst/platform/functions/nodejs-runtime/plugin.mjs'), join(ROOT, ESBUILD_PLUGINS)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const replies = new Map<number, (value: Record<string, unknown>) => void>();
    createInterface({ input: bridge.stdout }).on('line', (line) => {
      const { id, value } = JSON.parse(line) as { id: number; value: Record<string, unknown> };
      replies.get(id)?.(value);
    });
    let next = 0;
    const ask = (command: 'resolve' | 'load', value: Record<string, unknown>) => new Promise<Record<string, unknown>>((done) => {
      const id = next++;
      replies.set(id, done);
      bridge.stdin.write(`${JSON.stringify({ id, command, value })}\n`);
    });
    try {
      const resolved = (path: string, kind: string) => ask('resolve', { path, importer: '/x/a.js', namespace: 'file', resolveDir: '/x', kind, pluginData: 0, with: {} });
      expect(await resolved('node:http', 'import-statement')).toEqual({ path: 'node:http', namespace: 'builtin-as-commonjs' });
      expect(await resolved('https', 'import-statement')).toEqual({ path: 'node:https', namespace: 'builtin-as-commonjs' });
      expect(await resolved('node:http', 'dynamic-import')).toEqual({ path: 'node:http', namespace: 'builtin-as-commonjs' });
      expect(await resolved('node:http', 'require-call')).toEqual({});
      expect(await resolved('@aws-sdk/client-dynamodb', 'import-statement')).toEqual({});
      expect(await resolved('./local.js', 'import-statement')).toEqual({});
      expect(await ask('load', { path: 'node:http', namespace: 'builtin-as-commonjs', suffix: '', pluginData: 0, with: {} }))
        .toEqual({ contents: 'module.exports = require("node:http");', loader: 'js' });
      expect(await ask('load', { path: '/x/a.js', namespace: 'file', suffix: '', pluginData: 0, with: {} })).toEqual({});
    } finally {
      bridge.kill();
    }
  });
});
