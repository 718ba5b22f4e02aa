/**
 * Bundles `sst.config.ts` the way the sst CLI does for `deploy` (esbuild, SST's run shim
 * injected, provider globals prepended, Pulumi packages external), but with an entry that
 * exports the pieces so a test can run the program under Pulumi mocks.
 */
import { build, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../../..');
export const platform = path.join(root, '.sst/platform');

interface ProviderLockEntry { name: string; package: string; alias: string }

/** Adds the `aws` and `sst` globals the CLI gives every user file (one import per provider). */
function providerGlobals(): Plugin {
  const lock = JSON.parse(readFileSync(path.join(root, '.sst/provider-lock.json'), 'utf8')) as ProviderLockEntry[];
  const imports = [
    ...lock.map((p) => `import * as ${p.alias} from "${p.package}";`),
    `import * as sst from "${path.join(platform, 'src/components')}";`,
  ].join('\n');
  return {
    name: 'provider-globals',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        if (args.path.includes(`${path.sep}.sst${path.sep}`) || args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        return { contents: `${imports}\n${readFileSync(args.path, 'utf8')}`, loader: 'ts' };
      });
    },
  };
}

/**
 * Writes the bundle inside `.sst/platform` (so its externals resolve there) and returns its path.
 * Named by content, written by rename: parallel test files share one file and never see half of it.
 */
export async function bundleProgram(): Promise<string> {
  const result = await build({
    stdin: {
      contents: [
        'export * as pulumi from "@pulumi/pulumi";',
        `export { run } from ${JSON.stringify(path.join(platform, 'src/auto/run.ts'))};`,
        `export { default as config } from ${JSON.stringify(path.join(root, 'sst.config.ts'))};`,
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: path.join(platform, 'synth', 'program.mjs'),
    write: false,
    inject: [path.join(platform, 'src/shim/run.js')],
    external: ['@pulumi/*', '@pulumiverse/*', '@sst-provider/*', '@aws-sdk/*', 'undici', 'esbuild', 'archiver', 'glob', 'vite'],
    nodePaths: [path.join(platform, 'node_modules')],
    plugins: [providerGlobals()],
    banner: {
      js: [
        'import { createRequire as topLevelCreateRequire } from "module";',
        'const require = topLevelCreateRequire(import.meta.url);',
        'import { fileURLToPath as topLevelFileUrlToPath } from "url";',
        'const __filename = topLevelFileUrlToPath(import.meta.url);',
        'const __dirname = topLevelFileUrlToPath(new URL(".", import.meta.url));',
      ].join('\n'),
    },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const outfile = path.join(platform, 'synth', `program-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(outfile)) {
    mkdirSync(path.dirname(outfile), { recursive: true });
    const partial = `${outfile}.${process.pid}`;
    writeFileSync(partial, code);
    renameSync(partial, outfile);
  }
  return outfile;
}
