/**
 * `npm run validators`: writes each route's generated validator module (standalone.ts) to
 * generated/<route id>.js with its declaration, from the route manifest; a test keeps them current.
 */
import type { RouteDefinition } from '@health-api/core';
import { routeList } from '@health-api/functions';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validatorModule } from './standalone.js';

export const GENERATED_DIR = fileURLToPath(new URL('./generated/', import.meta.url));

/**
 * The search whose parameters a create route's `If-None-Exist` criteria take: the type's own
 * search route (the one createHandler is given).
 */
export function criteriaSearchOf(route: RouteDefinition, routes: readonly RouteDefinition[]): RouteDefinition | undefined {
  if (route.interaction !== 'create' || !route.schemas.headers?.['if-none-exist']) return undefined;
  const search = routes.find((r) => r.interaction === 'search-type' && r.resourceType === route.resourceType);
  if (!search) throw new Error(`${route.id} takes If-None-Exist but its type has no search route`);
  return search;
}

/** Every generated file, by name, as `npm run validators` writes it. */
export function generatedFiles(routes: readonly RouteDefinition[] = routeList): Map<string, string> {
  const files = new Map<string, string>();
  for (const route of routes) {
    const { code, declaration } = validatorModule(route, criteriaSearchOf(route, routes));
    files.set(`${route.id}.js`, code);
    files.set(`${route.id}.d.ts`, declaration);
  }
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = generatedFiles();
  mkdirSync(GENERATED_DIR, { recursive: true });
  // A removed route leaves no stale validator behind.
  for (const name of readdirSync(GENERATED_DIR)) if (!files.has(name)) rmSync(join(GENERATED_DIR, name));
  for (const [name, text] of files) writeFileSync(join(GENERATED_DIR, name), text);
  process.stdout.write(`wrote ${files.size / 2} validator modules to ${GENERATED_DIR}\n`);
}
