/**
 * The local metrics dashboard as a browser sees it: the whole local stack, Debian's chromium
 * (headless, through playwright-core) on https://localhost:<port>/_dashboard, every other
 * origin blocked. The page renders under the docs page's CSP with no violation or script error,
 * and its numbers follow a burst of refused calls made meanwhile. With UPDATE_SCREENSHOTS=1 it saves
 * the page as docs/screenshots/dashboard.png; otherwise a test run leaves the checkout as it was.
 */
import { routeList } from '@health-api/functions';
import type { LocalStack } from '@health-api/local';
import { DASHBOARD_PATH, startLocalStack } from '@health-api/local';
import { DOCS_CSP, openApiJson } from '@health-api/openapi';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, ensureChromium } from '../docs/chromium.js';
import type { WatchedPage } from '../docs/watched-page.js';
import { cspViolations, watchedPage } from '../docs/watched-page.js';
import type { StackClient } from './stack-client.js';
import { clientCredentialsToken, stackClient } from './stack-client.js';

const SCREENSHOT = fileURLToPath(new URL('../../docs/screenshots/dashboard.png', import.meta.url));
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const BURST = 12;

let stack: LocalStack;
let client: StackClient;
let browser: Browser;
let page: Page;
let origin: string;
let watched: WatchedPage;

beforeAll(async () => {
  const executablePath = ensureChromium();
  stack = await startLocalStack({ gatewayPort: 0, issuerPort: 0, stateDir: mkdtempSync(join(tmpdir(), 'dashboard-stack-')), log: () => {} });
  client = stackClient(stack);
  origin = new URL(stack.baseUrl).origin;
  browser = await chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
  // The local CA is not in Chromium's store; the test trusts the stack it just started.
  watched = await watchedPage(browser, origin, { viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true });
  page = watched.page;
}, INSTALL_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await client?.close();
  await stack?.close();
});

const tile = (metric: string) => page.locator(`.tile[data-metric="${metric}"] .value`);
const tileValue = async (metric: string) => Number(await tile(metric).textContent());

describe('local metrics dashboard in headless Chromium', () => {
  it('serves the page under the docs page\'s CSP, and nowhere in the manifest or the OpenAPI document', async () => {
    const response = await page.goto(`${origin}${DASHBOARD_PATH}`, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(DOCS_CSP);
    await expect.poll(() => page.locator('#updated').textContent(), { timeout: 10_000 }).not.toBe('never');
    expect(routeList.some((route) => route.path.includes('_dashboard'))).toBe(false);
    expect(openApiJson(routeList)).not.toContain('_dashboard');
  });

  it('counts a burst of refused calls and the calls that passed, live', async () => {
    const before = { requests: await tileValue('requests'), auth: await tileValue('refusal:authentication-failed'), scope: await tileValue('refusal:scope-denied') };
    const token = await clientCredentialsToken(client, stack, 'clinical');
    const apiKey = stack.apiKeys.standard as string;
    const statuses = await Promise.all([
      ...Array.from({ length: BURST }, () => client.fetch(`${stack.baseUrl}/Patient/ZAC5361`, { headers: { 'x-api-key': apiKey } })),
      ...Array.from({ length: 3 }, () => client.fetch(`${stack.baseUrl}/Patient/p1`, { headers: { 'x-api-key': apiKey, authorization: `Bearer ${token}`, 'x-nhi': 'ZAC5361' } })),
      client.fetch(`${stack.baseUrl}/metadata`),
    ].map(async (pending) => (await pending).status));
    expect(statuses.filter((s) => s === 401)).toHaveLength(BURST);
    await expect.poll(() => tileValue('refusal:authentication-failed'), { timeout: 10_000 }).toBe(before.auth + BURST);
    await expect.poll(() => tileValue('requests'), { timeout: 10_000 }).toBe(before.requests + BURST + 4);
    expect(await tileValue('refusal:scope-denied')).toBe(before.scope);
    expect(await page.locator('#chart-refusals rect[data-series="authentication-failed"]').count()).toBeGreaterThan(0);
    expect(await page.locator('#chart-latency path[data-series="p99"]').count()).toBe(1);
    expect(await page.locator('#routes tr[data-route="patient-read"]').count()).toBe(1);
    const save = process.env.UPDATE_SCREENSHOTS === '1';
    if (save) mkdirSync(dirname(SCREENSHOT), { recursive: true });
    const png = await page.screenshot({ ...(save ? { path: SCREENSHOT } : {}), fullPage: true });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('never shows a value the calls carried', async () => {
    const response = await client.fetch(`${origin}${DASHBOARD_PATH}/metrics.json`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    for (const value of ['ZAC5361', stack.apiKeys.standard as string, 'clinical']) expect(text).not.toContain(value);
    expect(await page.content()).not.toContain('ZAC5361');
  });

  it('renders with no CSP violation, no script error and no request off the origin', async () => {
    expect(await cspViolations(page)).toEqual([]);
    expect(watched.consoleLines.filter((line) => /Content Security Policy|Refused to|^error/i.test(line))).toEqual([]);
    expect(watched.pageErrors).toEqual([]);
    expect(watched.offOrigin).toEqual([]);
  });
});
