import { describe, expect, it } from 'vitest';
import { DEPENDENCY_FIELDS, installed, lockfile, manifests, nameOf, resolveFrom, rootPackage } from './manifests.js';

/** An exact semver version: no range, tag, URL, path or alias. */
const EXACT = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
/** A SHA-512 subresource integrity value: 64 bytes, base64. */
const SHA512 = /^sha512-[A-Za-z0-9+/]{86}==$/;
const REGISTRY = 'https://registry.npmjs.org/';

const workspaces = new Set(rootPackage.workspaces ?? []);
const links = installed.filter(([, entry]) => entry.link);
const registryPackages = installed.filter(([, entry]) => !entry.link);

describe('package-lock.json', () => {
  it('is lockfile version 3', () => {
    expect(lockfile.lockfileVersion).toBe(3);
  });

  it('gives every registry package an exact version and a sha512 integrity', () => {
    expect(registryPackages.length).toBeGreaterThan(0);
    const lacking = registryPackages
      .filter(([, entry]) => !EXACT.test(entry.version ?? '') || !SHA512.test(entry.integrity ?? ''))
      .map(([path]) => path);
    expect(lacking).toEqual([]);
  });

  it('has no package from git, a file, a tarball URL or a link outside the workspaces', () => {
    // This machine's npm omits registry URLs (omit-lockfile-registry-resolved); any other
    // `resolved` names a source outside the registry.
    const elsewhere = registryPackages.filter(([, entry]) => entry.resolved !== undefined && !entry.resolved.startsWith(REGISTRY));
    expect(elsewhere.map(([path, entry]) => `${path} ${entry.resolved}`)).toEqual([]);
    const foreignLinks = links.filter(([, entry]) => !workspaces.has(entry.resolved ?? ''));
    expect(foreignLinks.map(([path, entry]) => `${path} -> ${entry.resolved}`)).toEqual([]);
  });

  it('installs every dependency at exactly the version its package.json pins', () => {
    const mismatched: string[] = [];
    for (const [dir, manifest] of manifests) {
      for (const field of DEPENDENCY_FIELDS) {
        for (const [name, pin] of Object.entries(manifest[field] ?? {})) {
          const found = resolveFrom(dir, name);
          const entry = found?.[1].link ? lockfile.packages[found[1].resolved ?? ''] : found?.[1];
          if (entry?.version !== pin) mismatched.push(`${dir || '(root)'} ${name}@${pin} -> ${entry?.version ?? 'missing'}`);
        }
      }
    }
    expect(mismatched).toEqual([]);
  });
});

describe('package.json files', () => {
  it('pin every dependency to an exact version', () => {
    const ranges: string[] = [];
    for (const [dir, manifest] of manifests) {
      for (const field of DEPENDENCY_FIELDS) {
        for (const [name, spec] of Object.entries(manifest[field] ?? {})) {
          if (!EXACT.test(spec)) ranges.push(`${dir || '(root)'} ${field} ${name}@${spec}`);
        }
      }
    }
    expect(ranges).toEqual([]);
    expect(rootPackage.overrides ?? {}).toEqual({});
  });
});

describe('install scripts', () => {
  it('every package with an install script is listed in allowScripts, and nothing else is', () => {
    const withScripts = new Set(registryPackages.filter(([, entry]) => entry.hasInstallScript).map(([path]) => nameOf(path)));
    const listed = new Set(Object.keys(rootPackage.allowScripts ?? {}));
    expect([...withScripts].filter((name) => !listed.has(name))).toEqual([]);
    expect([...listed].filter((name) => !withScripts.has(name))).toEqual([]);
  });
});
