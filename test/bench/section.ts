/**
 * Runs one bench section in this process and hands its result to the runner on file
 * descriptor 3, so the section's own stdout (handler logs) cannot corrupt it.
 */
import { writeSync } from 'node:fs';
import { dpopBench } from './dpop.js';
import { httpsBench } from './https-end-to-end.js';
import { memoryBench } from './memory.js';
import { pipelineBench } from './pipeline.js';
import { tracedPipelineBench } from './pipeline-traced.js';
import { FULL, SMOKE } from './sizes.js';

const sections = { pipeline: pipelineBench, pipelineTraced: tracedPipelineBench, memory: memoryBench, https: httpsBench, dpop: dpopBench } as const;

const [name, mode] = process.argv.slice(2) as [keyof typeof sections, string];
const section = sections[name];
if (!section) throw new Error(`unknown bench section ${name}`);
const result = await section(mode === 'smoke' ? SMOKE : FULL);
writeSync(3, JSON.stringify(result));
