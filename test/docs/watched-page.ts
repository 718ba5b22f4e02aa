import type { Browser, BrowserContextOptions, Page } from 'playwright-core';

export interface WatchedPage {
  page: Page;
  /** Requests to any other origin, refused. */
  offOrigin: string[];
  consoleLines: string[];
  pageErrors: string[];
}

/** The CSP violations a page of a watched context reported (`directive blockedURI`). */
export const cspViolations = (page: Page): Promise<string[]> =>
  page.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations);

/**
 * A page in a fresh context whose network reaches `origin` only: everything else is refused and
 * recorded, as are console lines, script errors and (for `cspViolations`) CSP violations.
 */
export async function watchedPage(browser: Browser, origin: string, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const watched: Omit<WatchedPage, 'page'> = { offOrigin: [], consoleLines: [], pageErrors: [] };
  const context = await browser.newContext(options);
  await context.route('**/*', (route) => {
    if (route.request().url().startsWith(`${origin}/`)) return route.continue();
    watched.offOrigin.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  // Init scripts run outside the page's CSP; they record violations the console might not show.
  await context.addInitScript(() => {
    interface Violation { violatedDirective: string; blockedURI: string }
    const window = globalThis as unknown as { addEventListener(type: string, listener: (event: Violation) => void): void };
    const seen: string[] = [];
    Object.assign(globalThis, { cspViolations: seen });
    window.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  const page = await context.newPage();
  page.on('console', (message) => watched.consoleLines.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => watched.pageErrors.push(error.message));
  return { page, ...watched };
}
