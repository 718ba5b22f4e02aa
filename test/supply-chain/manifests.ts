/** The repository's package.json files and lockfile, read the way npm reads them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

export interface PackageJson {
  name: string;
  version: string;
  workspaces?: string[];
  scripts?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
  overrides?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  hasInstallScript?: boolean;
}

export interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as T;

export const rootPackage = readJson<PackageJson>('package.json');
export const lockfile = readJson<Lockfile>('package-lock.json');

/** The root package and each workspace, keyed by directory ('' for the root). */
export const manifests = new Map<string, PackageJson>([
  ['', rootPackage],
  ...(rootPackage.workspaces ?? []).map((dir) => [dir, readJson<PackageJson>(`${dir}/package.json`)] as const),
]);

/** Lockfile entries of installed packages (under node_modules), workspace links included. */
export const installed = Object.entries(lockfile.packages).filter(([path]) => path.includes('node_modules/'));

/** Package name of a lockfile path: the part after its last `node_modules/`. */
export const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

/** The lockfile entry npm loads for `name` required from directory `dir`, and its path. */
export function resolveFrom(dir: string, name: string): [string, LockEntry] | undefined {
  for (const base of dir === '' ? [''] : [`${dir}/`, '']) {
    const path = `${base}node_modules/${name}`;
    const entry = lockfile.packages[path];
    if (entry) return [path, entry];
  }
  return undefined;
}

/**
 * `name@version` of every package the lockfile marks dev-only (`dev: true` on each installed
 * copy): what a production SBOM leaves out.
 */
export function devOnlyPackages(): Set<string> {
  const copies = new Map<string, boolean[]>();
  for (const [path, entry] of installed) {
    if (entry.link) continue;
    const ref = `${entry.name ?? nameOf(path)}@${entry.version}`;
    copies.set(ref, [...(copies.get(ref) ?? []), entry.dev === true]);
  }
  return new Set([...copies].filter(([, dev]) => dev.every(Boolean)).map(([ref]) => ref));
}
