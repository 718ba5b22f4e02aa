import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, rootPackage } from './manifests.js';

const ciSteps = readFileSync(join(ROOT, '.ci/run'), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));

describe('CI gates', () => {
  it('installs from the lockfile, runs the tests and fails on high or critical advisories in production dependencies', () => {
    expect(ciSteps).toEqual(expect.arrayContaining(['set -euo pipefail', 'npm ci', 'npm test', 'npm run audit:deps']));
    expect(rootPackage.scripts?.['audit:deps']).toBe('tsx test/supply-chain/audit-deps.ts');
  });
});
