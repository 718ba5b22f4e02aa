/**
 * `npm run bench`: every section at full size; prints the markdown table and writes
 * bench/results.json (and the table to bench/results.md, for the README). Numbers from a
 * shared machine are noisy: read the ratios, whose baselines ran in the same run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { runBench } from './bench.js';
import { dpopMarkdown, runDpopBench } from './dpop.js';
import { checkTargets, markdown } from './report.js';
import { FULL } from './sizes.js';
import { FULL_LOAD, loadMarkdown, runLoad } from '../load/load.js';

const results = await runBench(FULL, 'full');
const dpop = await runDpopBench('full');
const targets = checkTargets(results);
// The load run (npm run load) belongs in the same report: throughput and consistency under load.
const load = await runLoad(FULL_LOAD);
mkdirSync('bench', { recursive: true });
const table = `${markdown(results, targets)}\n${dpopMarkdown(dpop)}\n${loadMarkdown(load)}`;
writeFileSync('bench/results.json', `${JSON.stringify({ ...results, targets, dpop, load }, null, 2)}\n`);
writeFileSync('bench/results.md', `# Latest bench results (${results.startedAt}, node ${results.node})\n\n${table}`);
process.stdout.write(table);
if (!load.check.passed) process.exitCode = 1;
