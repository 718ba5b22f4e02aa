/**
 * Generates SST's platform (.sst/platform: its types, components and Pulumi packages) when it
 * is missing or from another sst version, so a fresh clone can type-check and synthesise the
 * infra offline. Needs only the npm registry: no AWS account, no Pulumi CLI download.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const platform = new URL('.sst/platform/', root);
// sst's package exports hide its package.json, so read the file itself.
const wanted = JSON.parse(readFileSync(new URL('node_modules/sst/package.json', root), 'utf8')).version;
const installed = existsSync(new URL('version', platform)) ? readFileSync(new URL('version', platform), 'utf8').trim() : undefined;

if (installed === wanted && existsSync(new URL('node_modules/@pulumi/pulumi/package.json', platform))) process.exit(0);

console.log(`Generating .sst/platform for sst ${wanted} (npm registry only)…`);
const result = spawnSync('npx', ['sst', 'install', '--stage', 'ci'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    SST_TELEMETRY_DISABLED: '1',
    // Otherwise sst downloads the Pulumi CLI (not on the npm registry) and bun.
    SST_SKIP_DEPENDENCY_CHECK: '1',
    SST_NO_BUN: '1',
  },
});
process.exit(result.status ?? 1);
