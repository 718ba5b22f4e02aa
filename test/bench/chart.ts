/**
 * bench/results.svg: the cold-start and gateway ratios of a run against their targets, as a
 * hand-written SVG (no charting dependency). Bars past their target line missed it.
 */
import type { BenchResults } from './bench.js';
import type { ColdStartResult } from './cold-start.js';
import { TARGETS } from './report.js';

interface Bar { label: string; value: number; target: number }

const WIDTH = 760;
const LABEL = 170;
const ROW = 20;
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One panel: horizontal bars on a linear scale from 0 to `max`, each with its target tick. */
function panel(title: string, unit: string, bars: readonly Bar[], top: number, max: number): { svg: string; height: number } {
  const plot = WIDTH - LABEL - 70;
  const x = (value: number) => LABEL + (Math.min(value, max) / max) * plot;
  const rows = bars.map((bar, i) => {
    const y = top + 28 + i * ROW;
    const met = bar.value <= bar.target === (unit === '×');
    return [
      `<text x="${LABEL - 6}" y="${y + 13}" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${LABEL}" y="${y + 3}" width="${Math.max(1, x(bar.value) - LABEL).toFixed(1)}" height="${ROW - 6}" fill="${met ? '#2e7d32' : '#c62828'}"/>`,
      `<line x1="${x(bar.target).toFixed(1)}" x2="${x(bar.target).toFixed(1)}" y1="${y}" y2="${y + ROW}" stroke="#000" stroke-dasharray="3,2"/>`,
      `<text x="${(x(bar.value) + 4).toFixed(1)}" y="${y + 13}">${bar.value}${unit}</text>`,
    ].join('');
  });
  const height = 36 + bars.length * ROW;
  return { svg: `<text x="8" y="${top + 16}" font-weight="bold">${escape(title)}</text>${rows.join('')}`, height };
}

/** One bar per function, the bare verified read first: the floor under every data route, held to the same target line. */
const coldBars = (coldStart: ColdStartResult): Bar[] =>
  [coldStart.bareRead, ...coldStart.handlers].map((b) => ({ label: b.name, value: b.timeRatio, target: TARGETS.coldStartTimeRatio }));

export function resultsSvg(r: BenchResults): string {
  const cold = coldBars(r.coldStart);
  const gateway = r.https.paths.map((p) => ({
    label: p.path.replace(/ \(.*\)$/, ''),
    value: Math.round(p.throughputRatio * 1000) / 10,
    target: (p.path.includes('/v1/metadata') ? TARGETS.gatewayThroughputRatio.metadata : TARGETS.gatewayThroughputRatio.patientRead) * 100,
  }));
  const lambda = r.lambdaRuntime;
  const lambdaCold = 'node' in lambda ? coldBars(lambda.coldStart) : [];
  const max = Math.max(TARGETS.coldStartTimeRatio * 1.5, ...cold.map((b) => b.value), ...lambdaCold.map((b) => b.value));
  const panels: Array<{ svg: string; height: number }> = [];
  const add = (title: string, unit: string, bars: readonly Bar[], scale: number) => {
    panels.push(panel(title, unit, bars, panels.reduce((top, p) => top + p.height + 10, 0), scale));
  };
  add(`Import + first request p50, × hello-world, node ${r.node} (target ≤ ${TARGETS.coldStartTimeRatio}×, dashed)`, '×', cold, max);
  if ('node' in lambda) add(`The same on ${lambda.runtime}'s node ${lambda.node}, × its hello-world`, '×', lambdaCold, max);
  add('Gateway requests/s, % of a bare https server (targets dashed: ≥ 50 % metadata, ≥ 25 % Patient read)', ' %', gateway, 100);
  const height = panels.reduce((sum, p) => sum + p.height + 10, 30);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...panels.map((p) => p.svg),
    `<text x="8" y="${height - 10}" fill="#555">${escape(`npm run bench, ${r.startedAt}, node ${r.node}; green met its target, red did not`)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
