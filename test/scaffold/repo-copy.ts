/**
 * A working copy of the repository in a temporary directory, for running the generator without
 * touching the real tree. Sources are copied; dependencies are linked: every entry of
 * `node_modules` is a symlink to the original, except the workspace packages, which point at
 * the copy's own `packages/*` so that the copy's code (generated files included) is what runs.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';

/** Top-level entries never copied: dependencies (linked instead), history and local state. */
const NOT_COPIED = new Set(['node_modules', '.git', '.sst', '.local']);

/** What the offline synth reads from `.sst`. */
const SST_STATE = ['platform', 'provider-lock.json'];

export const hasSstPlatform = (source: string) => SST_STATE.every((entry) => existsSync(join(source, '.sst', entry)));

export interface RepoCopy {
  root: string;
  remove: () => void;
}

function linkDependencies(source: string, target: string): void {
  mkdirSync(join(target, 'node_modules'));
  for (const entry of readdirSync(join(source, 'node_modules'))) {
    if (entry === '@health-api') continue;
    symlinkSync(join(source, 'node_modules', entry), join(target, 'node_modules', entry));
  }
  mkdirSync(join(target, 'node_modules', '@health-api'));
  for (const name of readdirSync(join(target, 'packages'))) {
    symlinkSync(join(target, 'packages', name), join(target, 'node_modules', '@health-api', name), 'dir');
  }
  // Dependencies npm could not hoist live in the workspace's own node_modules.
  for (const name of readdirSync(join(source, 'packages'))) {
    const nested = join(source, 'packages', name, 'node_modules');
    if (existsSync(nested)) symlinkSync(nested, join(target, 'packages', name, 'node_modules'), 'dir');
  }
}

export function copyRepository(source: string): RepoCopy {
  const root = mkdtempSync(join(tmpdir(), 'scaffold-'));
  cpSync(source, root, {
    recursive: true,
    filter: (path) => {
      const inside = relative(source, path);
      return !NOT_COPIED.has(inside) && basename(path) !== 'node_modules';
    },
  });
  linkDependencies(source, root);
  // The offline infra synth needs SST's generated platform code (hundreds of MB): linked, not
  // copied. It writes its content-named bundle in there, as it does for the original tree.
  if (hasSstPlatform(source)) {
    mkdirSync(join(root, '.sst'));
    for (const entry of SST_STATE) symlinkSync(join(source, '.sst', entry), join(root, '.sst', entry));
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
