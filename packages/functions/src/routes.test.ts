import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_BASE_PATH } from '@health-api/core';
import { describe, expect, it } from 'vitest';
import { handlerModule, routeList } from './routes.js';
import { generatedExamples } from './testing/resource-examples.js';

const repositoryRoot = resolve(fileURLToPath(import.meta.url), '../../../..');

/** Every sub-schema, with its JSON path, found by walking objects and arrays. */
function* schemaNodes(node: unknown, path: string): Generator<[string, Record<string, unknown>]> {
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) yield* schemaNodes(item, `${path}[${index}]`);
  } else if (node !== null && typeof node === 'object') {
    const schema = node as Record<string, unknown>;
    if ('type' in schema || 'const' in schema || 'enum' in schema) yield [path, schema];
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'enum' || key === 'const' || key === 'required') continue;
      yield* schemaNodes(value, `${path}.${key}`);
    }
  }
}

const allNodes = () => routeList.flatMap((route) =>
  Object.entries(route.schemas).flatMap(([part, schema]) => [...schemaNodes(schema, `${route.id}.${part}`)]));

describe('route manifest', () => {
  it('has the health routes of the issues with their SMART v2 scopes (generated resources have their own tests)', () => {
    const table = routeList.filter((r) => r.scope && !(r.resourceType && r.resourceType in generatedExamples)).map((r) => `${r.method} ${r.path} ${r.scope?.resourceType}.${r.scope?.permission}`);
    expect(table.sort()).toEqual([
      'DELETE /v1/Patient/{id} Patient.d',
      'GET /v1/AuditEvent AuditEvent.s',
      'GET /v1/Observation Observation.s',
      'GET /v1/Observation/{id} Observation.r',
      'GET /v1/Observation/{id}/_history/{vid} Observation.r',
      'GET /v1/Patient Patient.s',
      'GET /v1/Patient/{id} Patient.r',
      'GET /v1/Patient/{id}/_history/{vid} Patient.r',
      'POST /v1/Observation Observation.c',
      'POST /v1/Patient Patient.c',
      'PUT /v1/Patient/{id} Patient.u',
    ]);
  });

  it('puts every route under the API base path, which resource URLs are built from', () => {
    expect(routeList.filter((route) => !route.path.startsWith(`${API_BASE_PATH}/`)).map((route) => route.id)).toEqual([]);
  });

  it('has a handler module for every route', () => {
    for (const route of routeList) expect(existsSync(resolve(repositoryRoot, handlerModule(route))), route.id).toBe(true);
  });

  it('gives every string in every route schema a maxLength', () => {
    const strings = allNodes().filter(([, s]) => s.type === 'string');
    expect(strings.length).toBeGreaterThan(50);
    expect(strings.filter(([, s]) => typeof s.maxLength !== 'number').map(([path]) => path)).toEqual([]);
  });

  it('closes every object and bounds every array and number', () => {
    const nodes = allNodes();
    expect(nodes.filter(([, s]) => s.type === 'object' && s.additionalProperties !== false).map(([p]) => p)).toEqual([]);
    expect(nodes.filter(([, s]) => s.type === 'array' && typeof s.maxItems !== 'number').map(([p]) => p)).toEqual([]);
    expect(nodes.filter(([, s]) => (s.type === 'number' || s.type === 'integer') && (typeof s.minimum !== 'number' || typeof s.maximum !== 'number')).map(([p]) => p)).toEqual([]);
  });
});
