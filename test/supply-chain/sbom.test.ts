import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { devOnlyPackages, manifests, ROOT } from './manifests.js';

interface Component {
  name: string;
  group?: string;
  version: string;
  purl?: string;
  hashes?: Array<{ alg: string; content: string }>;
}

const sbom = JSON.parse(readFileSync(join(ROOT, 'docs/sbom.cdx.json'), 'utf8')) as {
  bomFormat: string;
  specVersion: string;
  components: Component[];
};

const fullName = (c: Component) => (c.group ? `${c.group}/${c.name}` : c.name);
const workspaceNames = new Set([...manifests.values()].map((m) => m.name));
/** Third-party runtime dependencies, as the workspaces pin them. */
const productionPins = [...manifests.values()].flatMap((m) => Object.entries(m.dependencies ?? {}))
  .filter(([name]) => !workspaceNames.has(name));

describe('docs/sbom.cdx.json', () => {
  it('is a CycloneDX SBOM naming every production dependency at its pinned version', () => {
    expect(sbom.bomFormat).toBe('CycloneDX');
    const present = new Set(sbom.components.map((c) => `${fullName(c)}@${c.version}`));
    expect(productionPins.length).toBeGreaterThan(0);
    expect(productionPins.map(([name, pin]) => `${name}@${pin}`).filter((ref) => !present.has(ref))).toEqual([]);
  });

  it('gives every registry component a package URL and a SHA-512 hash', () => {
    const registry = sbom.components.filter((c) => !workspaceNames.has(fullName(c)) && !workspaceNames.has(`@health-api/${c.name}`));
    const lacking = registry.filter((c) => !c.purl?.startsWith('pkg:npm/') || !c.hashes?.some((h) => h.alg === 'SHA-512' && /^[0-9a-f]{128}$/.test(h.content)));
    expect(lacking.map(fullName)).toEqual([]);
  });

  it('leaves out packages that only development needs', () => {
    const devOnly = devOnlyPackages();
    expect(devOnly.has(`vitest@${manifests.get('')?.devDependencies?.vitest}`)).toBe(true);
    expect(sbom.components.map((c) => `${fullName(c)}@${c.version}`).filter((ref) => devOnly.has(ref))).toEqual([]);
  });
});
