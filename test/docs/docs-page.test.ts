/**
 * The /docs page as a browser sees it: Debian's chromium (headless, through playwright-core)
 * loads the page the gateway serves, from a loopback server, with every other host blocked.
 * It must render each route's operation with no CSP violation and no script error.
 */
import { routeList } from '@health-api/functions';
import type { DocumentationFile } from '@health-api/openapi';
import { DOCS_PATH, documentationFiles, openApiJson } from '@health-api/openapi';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, ensureChromium } from './chromium.js';
import type { WatchedPage } from './watched-page.js';
import { cspViolations, watchedPage } from './watched-page.js';

const SCREENSHOT = fileURLToPath(new URL('../../docs/screenshots/docs-page.png', import.meta.url));
const INSTALL_TIMEOUT_MS = 15 * 60_000;
/** The same page with one inline script: the control that shows violations are detected. */
const TAMPERED_PATH = '/docs-tampered';

/** Serves exactly what the gateway serves at /docs and /v1/openapi.json, and nothing else. */
function startDocsServer() {
  const files = documentationFiles(routeList);
  const docs = files.get(DOCS_PATH) as DocumentationFile;
  files.set(TAMPERED_PATH, { ...docs, body: Buffer.from(docs.body.toString().replace('</body>', '<script>document.title = "injected";</script></body>')) });
  const server = createServer((request, response) => {
    const file = files.get(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    if (!file) return void response.writeHead(404).end();
    response.writeHead(200, file.headers).end(file.body);
  });
  return new Promise<{ origin: string; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((done) => server.close(() => done())),
    }));
  });
}

describe('docs page in headless Chromium', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startDocsServer>>;
  let page: Page;
  let watched: WatchedPage;

  beforeAll(async () => {
    const executablePath = ensureChromium();
    server = await startDocsServer();
    browser = await chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
    // The network is blocked: anything not from our loopback origin is refused and recorded.
    watched = await watchedPage(browser, server.origin, { viewport: { width: 1280, height: 800 } });
    page = watched.page;
    const response = await page.goto(`${server.origin}${DOCS_PATH}`, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
  }, INSTALL_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const operationBlock = (route: (typeof routeList)[number]) => page.locator('.opblock', {
    has: page.locator(`.opblock-summary-path[data-path="${route.path}"]`),
  }).filter({ has: page.locator('.opblock-summary-method', { hasText: new RegExp(`^${route.method}$`) }) });

  it('lists every route of the manifest as an operation, and saves a screenshot', async () => {
    for (const route of routeList) {
      await expect.poll(() => operationBlock(route).count(), { timeout: 10_000 }).toBe(1);
      expect(await operationBlock(route).isVisible()).toBe(true);
    }
    expect(await page.locator('.opblock').count()).toBe(routeList.length);
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    const png = await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('opens each operation with its parameters and every response status, errors included', async () => {
    type Described = { parameters: Array<{ name: string }>; responses: object };
    const document = JSON.parse(openApiJson(routeList)) as { paths: Record<string, Record<string, Described>> };
    for (const route of routeList) {
      const block = operationBlock(route);
      await block.locator('.opblock-summary').first().click();
      const described = document.paths[route.path]?.[route.method.toLowerCase()] as Described;
      const parameters = block.locator('.parameters tr[data-param-name]');
      await expect.poll(() => parameters.count(), { timeout: 10_000 }).toBe(described.parameters.length);
      expect((await parameters.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-param-name')))).sort())
        .toEqual(described.parameters.map((p) => p.name).sort());
      const statuses = Object.keys(described.responses);
      const rendered = block.locator('.responses-table tr.response[data-code]');
      await expect.poll(() => rendered.count(), { timeout: 10_000 }).toBe(statuses.length);
      expect((await rendered.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-code')))).sort()).toEqual(statuses.sort());
    }
  }, 120_000);

  it('loads with no CSP violation, no script error and no request off the origin', async () => {
    expect(await cspViolations(page)).toEqual([]);
    expect(watched.consoleLines.filter((line) => /Content Security Policy|Refused to/i.test(line))).toEqual([]);
    expect(watched.consoleLines.filter((line) => line.startsWith('error'))).toEqual([]);
    expect(watched.pageErrors).toEqual([]);
    expect(watched.offOrigin).toEqual([]);
  });

  it('does see a violation when the page is tampered with an inline script', async () => {
    const tampered = await page.context().newPage();
    await tampered.goto(`${server.origin}${TAMPERED_PATH}`, { waitUntil: 'networkidle' });
    expect(await cspViolations(tampered)).toContain('script-src-elem inline');
    expect(await tampered.title()).not.toBe('injected');
    await tampered.close();
  });
});
