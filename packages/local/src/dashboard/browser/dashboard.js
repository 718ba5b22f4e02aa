/* global document, window */
// Polls the gateway's metrics snapshot and draws it: counters, and SVG charts built element by
// element (no innerHTML, no library), so the page's CSP can refuse inline code and other origins.
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 600;
const HEIGHT = 200;
const PAD = { left: 40, right: 8, top: 8, bottom: 20 };
const COLOURS = ['#c0392b', '#d35400', '#8e44ad', '#2980b9', '#16a085', '#7f8c8d', '#2c3e50'];

const body = document.body;
const metricsUrl = body.dataset.metricsUrl;
const refreshMs = Number(body.dataset.refreshSeconds) * 1000;

function svgElement(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function clear(element) {
  while (element.firstChild) element.removeChild(element.firstChild);
}

/** Axes and a y scale for `max`; returns the functions that place a point. */
function frame(svg, count, max) {
  clear(svg);
  const top = Math.max(1, max);
  const x = (i) => PAD.left + (i * (WIDTH - PAD.left - PAD.right)) / Math.max(1, count);
  const y = (v) => HEIGHT - PAD.bottom - (v / top) * (HEIGHT - PAD.top - PAD.bottom);
  svg.appendChild(svgElement('line', { x1: PAD.left, y1: y(0), x2: WIDTH - PAD.right, y2: y(0), class: 'axis' }));
  svg.appendChild(svgElement('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: y(0), class: 'axis' }));
  svg.appendChild(svgElement('text', { x: PAD.left - 4, y: y(top) + 10, class: 'tick', 'text-anchor': 'end' }, String(Math.round(top * 10) / 10)));
  svg.appendChild(svgElement('text', { x: PAD.left - 4, y: y(0), class: 'tick', 'text-anchor': 'end' }, '0'));
  svg.appendChild(svgElement('text', { x: WIDTH - PAD.right, y: HEIGHT - 4, class: 'tick', 'text-anchor': 'end' }, 'now'));
  return { x, y, barWidth: Math.max(1, (WIDTH - PAD.left - PAD.right) / Math.max(1, count) - 1) };
}

function stackedBars(svg, buckets, series) {
  const totals = buckets.map((b) => series.reduce((sum, s) => sum + s.value(b), 0));
  const { x, y, barWidth } = frame(svg, buckets.length, Math.max(...totals, 0));
  buckets.forEach((bucket, i) => {
    let base = 0;
    for (const s of series) {
      const value = s.value(bucket);
      if (value > 0) {
        svg.appendChild(svgElement('rect', { x: x(i), y: y(base + value), width: barWidth, height: y(base) - y(base + value), fill: s.colour, 'data-series': s.name }));
        base += value;
      }
    }
  });
}

function lines(svg, buckets, series) {
  const values = buckets.flatMap((b) => series.map((s) => s.value(b))).filter((v) => v !== null);
  const { x, y } = frame(svg, buckets.length, Math.max(...values, 0));
  for (const s of series) {
    const points = buckets.map((b, i) => [i, s.value(b)]).filter(([, v]) => v !== null);
    if (points.length === 0) continue;
    const path = points.map(([i, v], n) => `${n === 0 ? 'M' : 'L'}${x(i + 0.5).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    svg.appendChild(svgElement('path', { d: path, fill: 'none', stroke: s.colour, 'stroke-width': 2, 'data-series': s.name }));
    for (const [i, v] of points) svg.appendChild(svgElement('circle', { cx: x(i + 0.5), cy: y(v), r: 2, fill: s.colour }));
  }
}

function legend(element, series) {
  clear(element);
  for (const s of series) {
    const item = document.createElement('span');
    item.className = 'legend-item';
    const swatch = document.createElementNS(SVG, 'svg');
    swatch.setAttribute('viewBox', '0 0 10 10');
    swatch.appendChild(svgElement('rect', { width: 10, height: 10, fill: s.colour }));
    item.appendChild(swatch);
    item.appendChild(document.createTextNode(s.name));
    element.appendChild(item);
  }
}

function render(snapshot) {
  const { buckets, totals } = snapshot;
  for (const tile of document.querySelectorAll('.tile')) {
    const [kind, name] = tile.dataset.metric.split(':');
    const value = kind === 'requests' ? totals.requests : kind === 'outcome' ? totals.outcomes[name] : totals.refusals[name];
    tile.querySelector('.value').textContent = String(value ?? 0);
  }
  document.getElementById('window').textContent = `${Math.round(snapshot.windowSeconds / 60)} minutes (${snapshot.bucketSeconds} s bars)`;
  document.getElementById('updated').textContent = new Date(snapshot.now).toLocaleTimeString();

  const outcomeSeries = [
    { name: 'success', colour: '#27ae60', value: (b) => b.outcomes.success },
    { name: 'client-error', colour: '#f39c12', value: (b) => b.outcomes['client-error'] },
    { name: 'server-error', colour: '#c0392b', value: (b) => b.outcomes['server-error'] },
  ];
  stackedBars(document.getElementById('chart-requests'), buckets, outcomeSeries);
  legend(document.getElementById('legend-requests'), outcomeSeries);
  const refusalSeries = Object.keys(totals.refusals).map((name, i) => ({ name, colour: COLOURS[i % COLOURS.length], value: (b) => b.refusals[name] }));
  stackedBars(document.getElementById('chart-refusals'), buckets, refusalSeries);
  legend(document.getElementById('legend-refusals'), refusalSeries);
  const latencySeries = [
    { name: 'p50', colour: '#2980b9', value: (b) => b.latencyP50 },
    { name: 'p99', colour: '#8e44ad', value: (b) => b.latencyP99 },
  ];
  lines(document.getElementById('chart-latency'), buckets, latencySeries);
  legend(document.getElementById('legend-latency'), latencySeries);

  const rows = document.querySelector('#routes tbody');
  clear(rows);
  for (const route of snapshot.routes) {
    const row = document.createElement('tr');
    row.dataset.route = route.route;
    for (const cell of [route.route, route.requests, route.latencyP50 ?? '-', route.latencyP99 ?? '-']) {
      const td = document.createElement('td');
      td.textContent = String(cell);
      row.appendChild(td);
    }
    rows.appendChild(row);
  }
}

async function refresh() {
  try {
    const response = await window.fetch(metricsUrl, { cache: 'no-store' });
    if (response.ok) render(await response.json());
  } finally {
    window.setTimeout(refresh, refreshMs);
  }
}

refresh();
