/**
 * What a function loads when Lambda imports it, read from the deploy bundle's metafile (a count,
 * not a timing): code a route needs only on some requests, or only in AWS, stays in chunks it
 * loads on first use, so no cold start pays for it.
 */
import { routeList, routes } from '@health-api/functions';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleRoute, importClosure, packageOf } from './deploy-bundle.js';

const dir = mkdtempSync(join(tmpdir(), 'bundle-imports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bundles = new Map<string, ReturnType<typeof bundleRoute>>();
/** A route's deploy bundle, built once for every test here. */
const bundled = (route: (typeof routeList)[number]) => bundles.get(route.id) ?? bundles.set(route.id, bundleRoute(route, dir)).get(route.id) as ReturnType<typeof bundleRoute>;

/** The packages importing a route's bundle loads. */
async function loadedAtImport(route: (typeof routeList)[number]): Promise<Set<string>> {
  const { outfile, metafile } = await bundled(route);
  return new Set(importClosure(metafile, outfile).flatMap((chunk) => Object.keys(chunk.inputs).map(packageOf)));
}

/** Loaded on first use, by every route: schema compiling (never: validators are generated), tracing, the Encryption SDK and its KMS keyring, the AWS-only clients, DPoP proofs, token verification, idempotency. */
const LAZY = [
  'ajv', 'aws-xray-sdk-core', '@aws-lambda-powertools/tracer', '@aws-crypto/encrypt-node', '@aws-crypto/decrypt-node',
  '@aws-sdk/client-kms', '@aws-sdk/client-s3', '@aws-sdk/client-secrets-manager', 'jose', 'aws-jwt-verify', '@aws-lambda-powertools/idempotency',
];

describe('what a function loads at import', () => {
  it('loads none of the lazily loaded code, on any route', async () => {
    for (const route of routeList) {
      const loaded = await loadedAtImport(route);
      expect(LAZY.filter((name) => loaded.has(name)), route.id).toEqual([]);
    }
  }, 120_000);

  it('loads no AWS SDK code for the public metadata route: its errors classify SDK failures only on the first error', async () => {
    const loaded = [...await loadedAtImport(routes.metadata)];
    expect(loaded.filter((name) => name.startsWith('@aws-sdk/') || name.startsWith('@smithy/'))).toEqual([]);
  });

  it('imports no Node builtin as an ES module, on any route: each is required, so Node builds no facade for it (infra/esbuild-plugins.mjs)', async () => {
    for (const route of routeList) {
      const { metafile } = await bundled(route);
      const imported = Object.values(metafile.outputs).flatMap((output) => output.imports)
        .filter((i) => i.external && i.kind !== 'require-call' && isBuiltin(i.path)).map((i) => `${i.kind} ${i.path}`);
      expect(imported, route.id).toEqual([]);
    }
  }, 120_000);
});

