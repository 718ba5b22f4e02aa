import { routeList } from '@health-api/functions';
import { describe, expect, it } from 'vitest';
import { openApiJson } from './document.js';
import { DOCS_CSP } from './docs-page.js';
import { DOCS_PATH, OPENAPI_PATH, documentationFiles } from './documentation-files.js';

const options = { serverUrl: 'https://127.0.0.1:8443', authorizationUrl: 'https://127.0.0.1:8444/auth', tokenUrl: 'https://127.0.0.1:8444/token' };
const files = documentationFiles(routeList, options);

describe('documentation files for the gateway', () => {
  it('serves the OpenAPI document of the routes, naming the gateway and issuer it is given', () => {
    const file = files.get(OPENAPI_PATH);
    expect(file?.body.toString()).toBe(openApiJson(routeList, options));
    const document = JSON.parse(file?.body.toString() ?? '{}');
    expect(document.servers).toEqual([{ url: options.serverUrl }]);
    expect(document.components.securitySchemes.smartOAuth2.flows.clientCredentials.tokenUrl).toBe(options.tokenUrl);
    expect(file?.headers).toMatchObject({ 'Content-Type': 'application/json; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'" });
  });

  it('serves the docs page and each asset under /docs with the docs CSP and its own content type', () => {
    const paths = [...files.keys()].filter((path) => path !== OPENAPI_PATH);
    expect(paths[0]).toBe(DOCS_PATH);
    expect(paths.slice(1).every((path) => path.startsWith(`${DOCS_PATH}/assets/`))).toBe(true);
    for (const path of paths) {
      expect(files.get(path)?.headers['Content-Security-Policy']).toBe(DOCS_CSP);
      expect(files.get(path)?.headers['X-Content-Type-Options']).toBe('nosniff');
    }
    expect(files.get(DOCS_PATH)?.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(files.get(`${DOCS_PATH}/assets/swagger-ui-bundle.js`)?.headers['Content-Type']).toBe('text/javascript; charset=utf-8');
  });
});
