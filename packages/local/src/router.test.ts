import type { RouteDefinition } from '@health-api/core';
import { expect, it } from 'vitest';
import { createRouter } from './router.js';

const route = (id: string, method: RouteDefinition['method'], path: string) => ({
  route: { id, method, path, interaction: 'read', apiKey: false, maxBodyBytes: 0, timeoutSeconds: 1, memoryMb: 128, schemas: {} } as RouteDefinition,
});
const router = createRouter([
  route('read', 'GET', '/v1/Patient/{id}'),
  route('search', 'POST', '/v1/Patient/_search'),
  route('metadata', 'GET', '/v1/metadata'),
]);

it('matches templates and decodes path parameters', () => {
  expect(router('GET', '/v1/Patient/a%2Fb')).toMatchObject({ binding: { route: { id: 'read' } }, pathParameters: { id: 'a/b' } });
  expect(router('GET', '/v1/metadata')).toMatchObject({ binding: { route: { id: 'metadata' } }, pathParameters: null });
});

it('prefers a literal resource over a parameter, and then needs the method to match', () => {
  expect(router('POST', '/v1/Patient/_search')?.binding.route.id).toBe('search');
  expect(router('GET', '/v1/Patient/_search')).toBeUndefined();
});

it('matches nothing for unknown paths, other methods or malformed encoding', () => {
  expect(router('GET', '/v1/Patient')).toBeUndefined();
  expect(router('GET', '/v1/Patient/a/b')).toBeUndefined();
  expect(router('DELETE', '/v1/metadata')).toBeUndefined();
  expect(router('GET', '/v1/Patient/%E0%A4%A')).toBeUndefined();
});
