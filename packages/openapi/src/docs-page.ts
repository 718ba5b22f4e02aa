import { SECURITY_HEADERS } from '@health-api/middleware';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The API reference page (Swagger UI) with every asset served from this origin: no CDN, no
 * inline script or style, a CSP that allows nothing else, and subresource integrity on each
 * asset. Swagger UI needs neither 'unsafe-eval' nor 'unsafe-inline' (the browser test checks
 * that no violation is reported); `img-src data:` is for the SVG icons inlined in its CSS.
 * Trusted Types are not enforced: under require-trusted-types-for, Swagger UI (innerHTML with no
 * policy) renders nothing.
 */

export interface DocsAsset {
  contentType: string;
  body: Buffer;
}

export interface DocsPage {
  html: string;
  /** Path → asset, each under `basePath`. */
  assets: Map<string, DocsAsset>;
  /** Headers for the page and every asset (their Content-Type comes with each). */
  headers: Record<string, string>;
}

export interface DocsPageOptions {
  /** Where the page is served, e.g. `/docs`; assets are served under `${basePath}/assets/`. */
  basePath: string;
  /** Same-origin path of the OpenAPI document, e.g. `/v1/openapi.json`. */
  specUrl: string;
}

export const DOCS_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

/** Headers of every page and asset we serve to browsers: the API's own security headers (less its JSON content type) and the CSP. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(SECURITY_HEADERS).filter(([name]) => name !== 'Content-Type')),
  'Content-Security-Policy': DOCS_CSP,
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
};

const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const browserDir = fileURLToPath(new URL('./browser/', import.meta.url));

const ASSET_FILES = {
  'swagger-ui.css': { file: join(swaggerDir, 'swagger-ui.css'), contentType: 'text/css; charset=utf-8' },
  'docs.css': { file: join(browserDir, 'docs.css'), contentType: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { file: join(swaggerDir, 'swagger-ui-bundle.js'), contentType: 'text/javascript; charset=utf-8' },
  'docs-init.js': { file: join(browserDir, 'docs-init.js'), contentType: 'text/javascript; charset=utf-8' },
  'favicon-32x32.png': { file: join(swaggerDir, 'favicon-32x32.png'), contentType: 'image/png' },
} as const;

const escapeAttribute = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const integrity = (body: Buffer) => `sha384-${createHash('sha384').update(body).digest('base64')}`;

export function docsPage(options: DocsPageOptions): DocsPage {
  const assets = new Map<string, DocsAsset>();
  const tags: string[] = [];
  for (const [name, { file, contentType }] of Object.entries(ASSET_FILES)) {
    const path = `${options.basePath}/assets/${name}`;
    const body = readFileSync(file);
    assets.set(path, { contentType, body });
    const href = escapeAttribute(path);
    if (name.endsWith('.css')) tags.push(`<link rel="stylesheet" href="${href}" integrity="${integrity(body)}">`);
    else if (name.endsWith('.js')) tags.push(`<script src="${href}" integrity="${integrity(body)}" defer></script>`);
    else tags.push(`<link rel="icon" type="image/png" href="${href}">`);
  }
  const html = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Secure FHIR Health API reference</title>',
    ...tags,
    '</head>',
    '<body>',
    `<div id="swagger-ui" data-spec-url="${escapeAttribute(options.specUrl)}"></div>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
  return { html, assets, headers: { ...PAGE_HEADERS } };
}
