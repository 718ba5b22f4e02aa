/**
 * SLOW (about two minutes): `npm run new:endpoint` end to end. In a temporary copy of the
 * repository it generates a Condition resource with every interaction the generator offers
 * (read, search, create, update, delete), then proves that nothing else needs editing: the copy
 * type-checks and lints, the generated tests pass, and so do the suites that walk the route
 * manifest (manifest rules, OpenAPI, local stack, security, offline infra synth and policies).
 * Skipped only when SKIP_SCAFFOLD_TEST=1, which CI never sets.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepoCopy } from './repo-copy.js';
import { copyRepository, hasSstPlatform } from './repo-copy.js';

const run = promisify(execFile);
const repositoryRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const SKIP = process.env.SKIP_SCAFFOLD_TEST === '1';

const GENERATED = [
  'packages/core/src/fhir/condition.ts',
  'packages/functions/src/handlers/condition-create.ts',
  'packages/functions/src/handlers/condition-read.ts',
  'packages/functions/src/handlers/condition-vread.ts',
  'packages/functions/src/handlers/condition-update.ts',
  'packages/functions/src/handlers/condition-delete.ts',
  'packages/functions/src/handlers/condition-search.ts',
  'packages/functions/src/handlers/condition.test.ts',
  'packages/functions/src/testing/examples/condition.ts',
];
const EXTENDED = [
  'packages/core/src/index.ts',
  'packages/functions/src/routes.ts',
  'packages/functions/src/testing/resource-examples.ts',
  'packages/local/src/issuer-clients.ts',
];
/** The suites that enumerate the manifest. */
const ROUTE_SUITES = [
  // The manifest rules, bad input for every route, and the generated test among the handler tests.
  'packages/functions/src',
  'packages/openapi/src',
  'test/local/stack.test.ts',
  'test/security',
  ...(hasSstPlatform(repositoryRoot) ? ['test/infra'] : []),
];

interface Outcome { code: number; output: string }
interface VitestReport { testResults: Array<{ name: string; assertionResults: Array<{ status: string }> }> }

/** Runs a command to completion; a failure is an outcome to assert on, with its output. */
async function outcomeOf(command: string, args: string[], cwd: string): Promise<Outcome> {
  // A nested vitest must not think it is a worker of this one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'NODE_ENV'));
  try {
    const { stdout, stderr } = await run(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

const tail = (outcome: Outcome) => outcome.output.split('\n').filter((line) => !line.startsWith('{"level"')).slice(-60).join('\n');
const generate = (cwd: string, ...args: string[]) => outcomeOf('npm', ['run', '--silent', 'new:endpoint', '--', ...args], cwd);
/** The tsc diagnostics, one per line, with the copy's path made relative. */
const diagnostics = (outcome: Outcome) => new Set(outcome.output.split('\n').filter((line) => /error TS\d+/.test(line)));
const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');

describe.skipIf(SKIP)('npm run new:endpoint -- --resource Condition --interactions read,search,create,update,delete (slow)', () => {
  let copy: RepoCopy;
  let generated: Outcome;
  beforeAll(async () => {
    copy = copyRepository(repositoryRoot);
    generated = await generate(copy.root, '--resource', 'Condition', '--interactions', 'read,search,create,update,delete');
  }, 60_000);
  afterAll(() => copy?.remove());

  it('writes the schema, handlers, routes, example, test and scopes in the copy, and nothing in the original', () => {
    expect(generated.code, tail(generated)).toBe(0);
    for (const path of GENERATED) {
      expect(existsSync(join(copy.root, path)), path).toBe(true);
      expect(existsSync(join(repositoryRoot, path)), path).toBe(false);
    }
    for (const path of EXTENDED) expect(read(copy.root, path), path).not.toBe(read(repositoryRoot, path));
    const routes = read(copy.root, 'packages/functions/src/routes.ts');
    for (const id of ['condition-create', 'condition-read', 'condition-update', 'condition-delete', 'condition-search']) expect(routes).toContain(`id: '${id}'`);
    const clients = read(copy.root, 'packages/local/src/issuer-clients.ts');
    expect(clients).toContain("clinical: 'system/Patient.cruds system/Observation.cruds system/Condition.cruds'");
    // Readers and the SMART app get the read letters only, never the new write ones.
    expect(clients).toContain("reader: 'system/Patient.rs system/Observation.rs system/Condition.rs'");
  });

  it('refuses an existing resource or an unknown interaction, changing nothing', async () => {
    const before = [...GENERATED, ...EXTENDED].map((path) => read(copy.root, path));
    const again = await generate(copy.root, '--resource', 'Condition', '--interactions', 'read');
    expect(again.code).not.toBe(0);
    expect(again.output).toContain('the manifest already has Condition routes');
    // `patch` is a FHIR interaction the generator does not offer.
    const unknown = await generate(copy.root, '--resource', 'AllergyIntolerance', '--interactions', 'read,patch');
    expect(unknown.code).not.toBe(0);
    expect(unknown.output).toContain('interactions: a comma-separated subset of create,read,update,delete,search');
    expect(existsSync(join(copy.root, 'packages/core/src/fhir/allergy-intolerance.ts'))).toBe(false);
    expect([...GENERATED, ...EXTENDED].map((path) => read(copy.root, path))).toEqual(before);
  }, 30_000);

  it('type-checks under strict tsc with no diagnostic the original tree does not have', async () => {
    const [original, extended] = await Promise.all([
      outcomeOf('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'], repositoryRoot),
      outcomeOf('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'], copy.root),
    ]);
    const known = diagnostics(original);
    expect([...diagnostics(extended)].filter((line) => !known.has(line)), tail(extended)).toEqual([]);
  }, 90_000);

  it('lints the generated and extended files clean', async () => {
    const lint = await outcomeOf('npx', ['eslint', '--max-warnings', '0', ...GENERATED, ...EXTENDED], copy.root);
    expect(lint.code, tail(lint)).toBe(0);
  }, 60_000);

  it('passes the generated tests and every suite that walks the manifest, with the OpenAPI document regenerated', async () => {
    const openapi = await outcomeOf('npm', ['run', '--silent', 'openapi'], copy.root);
    expect(openapi.code, tail(openapi)).toBe(0);
    expect(read(copy.root, 'docs/openapi.json')).toContain('Condition/{id}"');
    const report = join(copy.root, 'suites.json');
    const suites = await outcomeOf('npx', ['vitest', 'run', '--reporter=json', `--outputFile=${report}`, ...ROUTE_SUITES], copy.root);
    expect(suites.code, tail(suites)).toBe(0);
    const results = (JSON.parse(readFileSync(report, 'utf8')) as VitestReport).testResults;
    const passedIn = (file: string) => results.filter((r) => relative(copy.root, r.name).startsWith(file))
      .flatMap((r) => r.assertionResults).filter((a) => a.status === 'passed').length;
    const ran = ['packages/functions/src/routes.test.ts', 'packages/functions/src/handlers/bad-input.test.ts', ...ROUTE_SUITES.slice(1)];
    for (const file of ran) expect(passedIn(file), file).toBeGreaterThan(0);
    expect(passedIn('packages/functions/src/handlers/condition.test.ts')).toBe(13);
  }, 240_000);
});
