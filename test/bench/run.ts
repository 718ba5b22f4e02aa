/**
 * `npm run bench`: every section at full size; prints the markdown table and writes
 * bench/results.json (and the table to bench/results.md, for the README). Numbers from a
 * shared machine are noisy: read the ratios, whose baselines ran in the same run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { runBench } from './bench.js';
import { checkTargets, markdown } from './report.js';
import { FULL } from './sizes.js';

const results = await runBench(FULL, 'full');
const targets = checkTargets(results);
mkdirSync('bench', { recursive: true });
const table = markdown(results, targets);
writeFileSync('bench/results.json', `${JSON.stringify({ ...results, targets }, null, 2)}\n`);
writeFileSync('bench/results.md', `# Latest bench results (${results.startedAt}, node ${results.node})\n\n${table}`);
process.stdout.write(table);
