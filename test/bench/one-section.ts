/**
 * `npm run bench:section -- <pipeline|pipelineTraced|memory|coldStart|https> [smoke]`: one section alone, its
 * result printed as JSON; for working on one figure without the whole run. Writes nothing.
 */
import { runOneSection } from './bench.js';
import { FULL, SMOKE } from './sizes.js';

const [name = '', mode] = process.argv.slice(2);
if (!['pipeline', 'pipelineTraced', 'memory', 'coldStart', 'https'].includes(name)) throw new Error('name a section: pipeline, pipelineTraced, memory, coldStart or https');
const result = await runOneSection(name, mode === 'smoke' ? SMOKE : FULL, mode === 'smoke' ? 'smoke' : 'full');
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
