/**
 * The commands `npm start` prints, run as printed (bash and curl) against a fresh local stack:
 * a newcomer's first calls must work on an empty store.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banner } from '../../packages/local/src/banner.js';
import type { LocalStack } from '../../packages/local/src/stack.js';
import { startLocalStack } from '../../packages/local/src/stack.js';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ gatewayPort: 0, issuerPort: 0, stateDir: mkdtempSync(join(tmpdir(), 'banner-')), log: () => undefined });
});
afterAll(async () => {
  await stack?.close();
});

describe('npm start banner', () => {
  it('prints first calls that create a Patient on an empty store and read it back', async () => {
    const text = banner(stack);
    // The first block after 'Try it', up to the blank line before the key- and certificate-based clients.
    const commands = text.slice(text.indexOf('Try it')).split('\n\n')[0]?.split('\n').slice(1).map((line) => line.trim()).join('\n') ?? '';
    // Asynchronously: the stack answers from this process.
    const { stdout: output } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', commands], { cwd: process.cwd(), encoding: 'utf8', timeout: 30_000 });
    const [metadata, patient] = output.split(/(?<=})\s*(?={)/).map((part) => JSON.parse(part) as { resourceType: string; id?: string; name?: unknown });
    expect(metadata?.resourceType).toBe('CapabilityStatement');
    expect(patient).toMatchObject({ resourceType: 'Patient', name: [{ family: 'Parata', given: ['Aroha'] }] });
    expect(patient?.id).toMatch(/^[A-Za-z0-9.-]{1,64}$/);
  });
});
