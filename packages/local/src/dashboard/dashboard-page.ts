import { outcomeMetrics, refusalMetrics } from '@health-api/core';
import { PAGE_HEADERS } from '@health-api/openapi';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { MetricsWindow } from './metrics-window.js';

/** Where the gateway serves the dashboard: local only, never a route of the manifest (so never in infra or OpenAPI). */
export const DASHBOARD_PATH = '/_dashboard';
export const DASHBOARD_METRICS_PATH = `${DASHBOARD_PATH}/metrics.json`;

/** Seconds between the page's refreshes. */
const REFRESH_SECONDS = 2;

export interface DashboardFile {
  headers: Record<string, string>;
  body: Buffer;
}

const browserFile = (name: string) => readFileSync(new URL(`./browser/${name}`, import.meta.url));
const integrity = (body: Buffer) => `sha384-${createHash('sha384').update(body).digest('base64')}`;

/** One tile per counter the page shows, named by the metric the functions emit. */
const tiles: Array<[key: string, label: string]> = [
  ['requests', 'Requests'],
  ...Object.keys(outcomeMetrics).map((o): [string, string] => [`outcome:${o}`, outcomeMetrics[o as keyof typeof outcomeMetrics]]),
  ...Object.keys(refusalMetrics).map((c): [string, string] => [`refusal:${c}`, refusalMetrics[c as keyof typeof refusalMetrics]]),
];

function html(script: Buffer, style: Buffer): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Local API dashboard</title>',
    `<link rel="stylesheet" href="${DASHBOARD_PATH}/assets/dashboard.css" integrity="${integrity(style)}">`,
    `<script src="${DASHBOARD_PATH}/assets/dashboard.js" integrity="${integrity(script)}" defer></script>`,
    '</head>',
    `<body data-metrics-url="${DASHBOARD_METRICS_PATH}" data-refresh-seconds="${REFRESH_SECONDS}">`,
    '<header><h1>Secure FHIR Health API: local metrics</h1>',
    '<p>The functions\' own EMF metrics, as CloudWatch gets them in AWS, over the last <span id="window">minutes</span>. Updated <span id="updated">never</span>.</p></header>',
    '<section class="tiles">',
    ...tiles.map(([key, label]) => `<div class="tile" data-metric="${key}"><span class="label">${label}</span><span class="value">0</span></div>`),
    '</section>',
    '<section class="charts">',
    '<figure><figcaption>Requests by outcome</figcaption><svg id="chart-requests" viewBox="0 0 600 200" role="img" aria-label="Requests per interval"></svg><div class="legend" id="legend-requests"></div></figure>',
    '<figure><figcaption>Refusals by class</figcaption><svg id="chart-refusals" viewBox="0 0 600 200" role="img" aria-label="Refusals by class per interval"></svg><div class="legend" id="legend-refusals"></div></figure>',
    '<figure><figcaption>Latency p50 and p99 (ms)</figcaption><svg id="chart-latency" viewBox="0 0 600 200" role="img" aria-label="Latency percentiles per interval"></svg><div class="legend" id="legend-latency"></div></figure>',
    '</section>',
    '<section><h2>Per route</h2><table id="routes"><thead><tr><th>Route</th><th>Requests</th><th>p50 ms</th><th>p99 ms</th></tr></thead><tbody></tbody></table></section>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * The local metrics dashboard: a static page, its script and style (files, so the docs page's
 * strict CSP applies unchanged: no inline code, nothing from another origin) and the JSON
 * snapshot the script polls. Charts are drawn by the script as SVG; no charting library.
 */
export function dashboardFiles(window: MetricsWindow): (pathname: string) => DashboardFile | undefined {
  const script = browserFile('dashboard.js');
  const style = browserFile('dashboard.css');
  const files = new Map<string, DashboardFile>([
    [DASHBOARD_PATH, { headers: { ...PAGE_HEADERS, 'Content-Type': 'text/html; charset=utf-8' }, body: Buffer.from(html(script, style)) }],
    [`${DASHBOARD_PATH}/assets/dashboard.js`, { headers: { ...PAGE_HEADERS, 'Content-Type': 'text/javascript; charset=utf-8' }, body: script }],
    [`${DASHBOARD_PATH}/assets/dashboard.css`, { headers: { ...PAGE_HEADERS, 'Content-Type': 'text/css; charset=utf-8' }, body: style }],
  ]);
  return (pathname) => {
    if (pathname === DASHBOARD_METRICS_PATH) {
      return { headers: { ...PAGE_HEADERS, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: Buffer.from(JSON.stringify(window.snapshot())) };
    }
    return files.get(pathname);
  };
}
