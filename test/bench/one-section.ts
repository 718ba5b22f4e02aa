/**
 * `npm run bench:section -- <pipeline|pipelineTraced|memory|coldStart|https> [smoke]`: one section alone, its
 * result printed as JSON; for working on one figure without the whole run. Writes nothing.
 * `lambda:pipeline`, `lambda:pipelineTraced` and `lambda:coldStart` run it on Lambda's Node (lambda-node.ts).
 */
import { runOneSection } from './bench.js';
import { FULL, SMOKE } from './sizes.js';

const [name = '', mode] = process.argv.slice(2);
if (!['pipeline', 'pipelineTraced', 'memory', 'coldStart', 'https'].includes(name.replace(/^lambda:/, ''))) {
  throw new Error('name a section: pipeline, pipelineTraced, memory, coldStart or https (lambda:<name> on Lambda\'s Node)');
}
const result = await runOneSection(name, mode === 'smoke' ? SMOKE : FULL, mode === 'smoke' ? 'smoke' : 'full');
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
