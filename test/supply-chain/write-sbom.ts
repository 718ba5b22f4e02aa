/**
 * `npm run sbom`: a CycloneDX SBOM of the production dependencies, in docs/sbom.cdx.json.
 * `npm sbom --omit dev` also drops a production package that the root lists as a devDependency
 * too (npm/cli#7909, open), so this asks npm for the whole tree and leaves out only what the
 * lockfile marks dev-only.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devOnlyPackages, ROOT } from './manifests.js';

interface Bom {
  components: Array<{ 'bom-ref': string }>;
  dependencies: Array<{ ref: string; dependsOn?: string[] }>;
}

const bom = JSON.parse(execFileSync('npm', ['sbom', '--sbom-format', 'cyclonedx'], {
  cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'],
})) as Bom;
const devOnly = devOnlyPackages();
const kept = (ref: string) => !devOnly.has(ref);

bom.components = bom.components.filter((component) => kept(component['bom-ref']));
bom.dependencies = bom.dependencies.filter((dependency) => kept(dependency.ref))
  .map((dependency) => ({ ...dependency, ...(dependency.dependsOn ? { dependsOn: dependency.dependsOn.filter(kept) } : {}) }));

writeFileSync(join(ROOT, 'docs/sbom.cdx.json'), `${JSON.stringify(bom, null, 2)}\n`);
console.log(`docs/sbom.cdx.json: ${bom.components.length} production components`);
