import type { RouteDefinition } from '@health-api/core';
import { SECURITY_HEADERS } from '@health-api/middleware';
import type { OpenApiOptions } from './document.js';
import { openApiJson } from './document.js';
import { docsPage } from './docs-page.js';

/** Where a gateway serves the OpenAPI document and the docs page. */
export const OPENAPI_PATH = '/v1/openapi.json';
export const DOCS_PATH = '/docs';

export interface DocumentationFile {
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Everything a gateway answers `GET` with for the API description: the OpenAPI document of
 * `routes` and the docs page with its assets, each with its full response headers. Built once,
 * at start-up.
 */
export function documentationFiles(routes: readonly RouteDefinition[], options: Partial<OpenApiOptions> = {}): Map<string, DocumentationFile> {
  const page = docsPage({ basePath: DOCS_PATH, specUrl: OPENAPI_PATH });
  const files = new Map<string, DocumentationFile>([
    [OPENAPI_PATH, {
      headers: { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' },
      body: Buffer.from(openApiJson(routes, options)),
    }],
    [DOCS_PATH, { headers: { ...page.headers, 'Content-Type': 'text/html; charset=utf-8' }, body: Buffer.from(page.html) }],
  ]);
  for (const [path, asset] of page.assets) {
    files.set(path, { headers: { ...page.headers, 'Content-Type': asset.contentType }, body: asset.body });
  }
  return files;
}
