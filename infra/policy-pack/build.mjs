/**
 * Builds the policy pack into .sst/policy-pack: one CommonJS file with the rules and the shared
 * definitions they read, a package.json pinning the Pulumi packages, and PulumiPolicy.yaml.
 * Then installs those packages there (npm registry only).
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const out = fileURLToPath(new URL('../../.sst/policy-pack/', import.meta.url));
// The same Pulumi SDK as the SST platform that runs the program.
const platform = JSON.parse(readFileSync(new URL('../../.sst/platform/package.json', import.meta.url), 'utf8'));

mkdirSync(out, { recursive: true });
await build({
  entryPoints: [fileURLToPath(new URL('pack.ts', import.meta.url))],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: `${out}index.js`,
  external: ['@pulumi/*'],
  logLevel: 'warning',
});
writeFileSync(`${out}package.json`, `${JSON.stringify({
  name: 'secure-health-api-policy-pack',
  version: '1.0.0',
  private: true,
  main: 'index.js',
  dependencies: { '@pulumi/policy': '1.21.0', '@pulumi/pulumi': platform.dependencies['@pulumi/pulumi'].replace(/^v/, '') },
}, null, 2)}\n`);
writeFileSync(`${out}PulumiPolicy.yaml`, 'runtime: nodejs\ndescription: Security controls of the secure FHIR health API\n');
const install = spawnSync('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: out, stdio: 'inherit' });
if (install.status !== 0) process.exit(install.status ?? 1);
console.log(`Policy pack ready: npx sst deploy --stage <name> --policy ${out}`);
