import { fileURLToPath } from 'node:url';
import { startTestDynamo } from '../support/dynamo.js';
import { configureAuth } from '../support/handler-env.js';
import { startTestIssuer } from '../support/issuer.js';
import { runNode } from './child.js';
import type { ColdStartResult } from './cold-start.js';
import { coldStartBench } from './cold-start.js';
import type { HttpsResult } from './https-end-to-end.js';
import type { MemoryResult } from './memory.js';
import type { PipelineResult } from './pipeline.js';
import type { TracedPipelineResult } from './pipeline-traced.js';
import { DEPLOYED_TRACING } from './deploy-bundle.js';
import type { BenchSizes } from './sizes.js';

export interface BenchResults {
  mode: 'full' | 'smoke';
  startedAt: string;
  node: string;
  pipeline: PipelineResult;
  /** The chain with X-Ray tracing on, as deployed. */
  pipelineTraced: TracedPipelineResult;
  coldStart: ColdStartResult;
  memory: MemoryResult;
  https: HttpsResult;
  /** Seconds each section took, to keep the run inside its budget. */
  sectionSeconds: Record<string, number>;
}

const SECTION = fileURLToPath(new URL('./section.ts', import.meta.url));

/** What a section's process needs beyond the runner's environment: the traced chain runs as a traced function. */
const SECTION_ENV: Record<string, NodeJS.ProcessEnv> = { pipelineTraced: DEPLOYED_TRACING };

/** Runs one in-process section in its own node process (tsx, GC exposed) and returns its result. */
async function section<T>(name: string, mode: BenchResults['mode'], timeoutMs: number): Promise<T> {
  const run = await runNode(['--expose-gc', '--import', 'tsx', SECTION, name, mode], { env: { ...process.env, ...SECTION_ENV[name] }, timeoutMs });
  return JSON.parse(run.result) as T;
}

/** Runs one section alone at the given sizes (`npm run bench:section -- <name>`), with the harness it needs. */
export async function runOneSection(name: keyof BenchResults['sectionSeconds'] & string, sizes: BenchSizes, mode: BenchResults['mode']): Promise<unknown> {
  // The same DynamoDB and issuer as a full run: the sections' children find them in the environment.
  const dynamo = await startTestDynamo();
  const issuer = await startTestIssuer();
  try {
    configureAuth(issuer);
    if (name === 'coldStart') return await coldStartBench(sizes, issuer);
    return await section(name, mode, 300_000);
  } finally {
    await issuer.close();
    await dynamo.close();
  }
}

/**
 * Every section, one after the other (they would disturb each other's timings). DynamoDB is
 * one DynamoDB Local (a JVM, outside this process, as the real one is outside the function); the cold-start probes
 * use this process's issuer, the in-process sections start their own.
 */
export async function runBench(sizes: BenchSizes, mode: BenchResults['mode']): Promise<BenchResults> {
  const startedAt = new Date().toISOString();
  const sectionSeconds: Record<string, number> = {};
  const timed = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await run();
    } finally {
      sectionSeconds[name] = Math.round((performance.now() - started) / 100) / 10;
    }
  };
  const dynamo = await startTestDynamo();
  const issuer = await startTestIssuer();
  try {
    configureAuth(issuer);
    const jobs = {
      pipeline: () => section<PipelineResult>('pipeline', mode, 90_000),
      pipelineTraced: () => section<TracedPipelineResult>('pipelineTraced', mode, 90_000),
      memory: () => section<MemoryResult>('memory', mode, 120_000),
      coldStart: () => coldStartBench(sizes, issuer),
      https: () => section<HttpsResult>('https', mode, 120_000),
    };
    // A full run times one section at a time; a smoke run's timings mean nothing, so it runs
    // them side by side to stay short.
    const sequential = async <T>(name: keyof typeof jobs): Promise<T> => timed(name, jobs[name] as () => Promise<T>);
    if (mode === 'smoke') {
      const [pipeline, pipelineTraced, memory, coldStart, https] = await Promise.all([
        sequential<PipelineResult>('pipeline'), sequential<TracedPipelineResult>('pipelineTraced'), sequential<MemoryResult>('memory'),
        sequential<ColdStartResult>('coldStart'), sequential<HttpsResult>('https'),
      ]);
      return { mode, startedAt, node: process.version, pipeline, pipelineTraced, coldStart, memory, https, sectionSeconds };
    }
    const pipeline = await sequential<PipelineResult>('pipeline');
    const pipelineTraced = await sequential<TracedPipelineResult>('pipelineTraced');
    const memory = await sequential<MemoryResult>('memory');
    const coldStart = await sequential<ColdStartResult>('coldStart');
    const https = await sequential<HttpsResult>('https');
    return { mode, startedAt, node: process.version, pipeline, pipelineTraced, coldStart, memory, https, sectionSeconds };
  } finally {
    await issuer.close();
    await dynamo.close();
  }
}
