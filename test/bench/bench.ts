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
import { lambdaNode } from './lambda-node.js';
import type { BenchSizes } from './sizes.js';

/** The measures of what Lambda runs, again on the Node release of its runtime; or why not here. */
export type LambdaRuntimeResults =
  | { runtime: string; node: string; arch: string; pipeline: PipelineResult; pipelineTraced: TracedPipelineResult; coldStart: ColdStartResult }
  | { runtime: string; unavailable: string };

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
  lambdaRuntime: LambdaRuntimeResults;
  /** Seconds each section took, to keep the run inside its budget. */
  sectionSeconds: Record<string, number>;
}

const SECTION = fileURLToPath(new URL('./section.ts', import.meta.url));

/** What a section's process needs beyond the runner's environment: the traced chain runs as a traced function. */
const SECTION_ENV: Record<string, NodeJS.ProcessEnv> = { pipelineTraced: DEPLOYED_TRACING };

/** Runs one in-process section in its own node process (tsx, GC exposed; `node` if given) and returns its result. */
async function section<T>(name: string, mode: BenchResults['mode'], timeoutMs: number, node?: string): Promise<T> {
  const run = await runNode(['--expose-gc', '--import', 'tsx', SECTION, name, mode], { env: { ...process.env, ...SECTION_ENV[name] }, timeoutMs, node });
  return JSON.parse(run.result) as T;
}

/** The sections that measure what Lambda runs, which run again on Lambda's Node. */
const RUNTIME_SECTIONS = ['pipeline', 'pipelineTraced', 'coldStart'] as const;
const ON_LAMBDA_NODE = 'lambda:';

/**
 * Runs one section alone at the given sizes (`npm run bench:section -- <name>`, or
 * `lambda:<name>` for one of RUNTIME_SECTIONS on Lambda's Node), with the harness it needs.
 */
export async function runOneSection(name: string, sizes: BenchSizes, mode: BenchResults['mode']): Promise<unknown> {
  const onLambda = name.startsWith(ON_LAMBDA_NODE);
  const which = onLambda ? name.slice(ON_LAMBDA_NODE.length) : name;
  if (onLambda && !(RUNTIME_SECTIONS as readonly string[]).includes(which)) throw new Error(`${name}: only ${RUNTIME_SECTIONS.join(', ')} run on Lambda's Node`);
  const lambda = onLambda ? await lambdaNode() : undefined;
  if (lambda && 'unavailable' in lambda) throw new Error(lambda.unavailable);
  const node = lambda?.execPath;
  // The same DynamoDB and issuer as a full run: the sections' children find them in the environment.
  const dynamo = await startTestDynamo();
  const issuer = await startTestIssuer();
  try {
    configureAuth(issuer);
    if (which === 'coldStart') return await coldStartBench(sizes, issuer, node);
    return await section(which, mode, 300_000, node);
  } finally {
    await issuer.close();
    await dynamo.close();
  }
}

/** A section's name in `sectionSeconds` and what runs it. */
type Job = [string, () => Promise<unknown>];

/**
 * Every section, one after the other (they would disturb each other's timings); each runtime
 * section runs again on Lambda's Node right after itself, so both meet the machine in the same
 * state. DynamoDB is one DynamoDB Local (a JVM, outside this process, as the real one is outside
 * the function); the cold-start probes use this process's issuer, the in-process sections start their own.
 */
export async function runBench(sizes: BenchSizes, mode: BenchResults['mode']): Promise<BenchResults> {
  const startedAt = new Date().toISOString();
  const sectionSeconds: Record<string, number> = {};
  const lambda = await lambdaNode();
  const dynamo = await startTestDynamo();
  const issuer = await startTestIssuer();
  try {
    configureAuth(issuer);
    const onNode = (node?: string) => ({
      pipeline: () => section<PipelineResult>('pipeline', mode, 90_000, node),
      pipelineTraced: () => section<TracedPipelineResult>('pipelineTraced', mode, 90_000, node),
      coldStart: () => coldStartBench(sizes, issuer, node),
    });
    const machine = onNode();
    const onLambda = 'execPath' in lambda ? onNode(lambda.execPath) : undefined;
    const jobs: Job[] = [
      ...(Object.keys(machine) as Array<keyof typeof machine>).flatMap((name): Job[] => (
        onLambda ? [[name, machine[name]], [`${ON_LAMBDA_NODE}${name}`, onLambda[name]]] : [[name, machine[name]]])),
      ['memory', () => section<MemoryResult>('memory', mode, 120_000)],
      ['https', () => section<HttpsResult>('https', mode, 120_000)],
    ];
    const timed = async ([name, job]: Job) => {
      const started = performance.now();
      try {
        return [name, await job()] as const;
      } finally {
        sectionSeconds[name] = Math.round((performance.now() - started) / 100) / 10;
      }
    };
    // A full run times one section at a time; a smoke run's timings mean nothing, so it runs
    // them side by side to stay short.
    const done = new Map<string, unknown>();
    if (mode === 'smoke') for (const [name, value] of await Promise.all(jobs.map(timed))) done.set(name, value);
    else {
      for (const job of jobs) {
        const [name, value] = await timed(job);
        done.set(name, value);
      }
    }
    const runtime = (prefix: string) => ({
      pipeline: done.get(`${prefix}pipeline`) as PipelineResult,
      pipelineTraced: done.get(`${prefix}pipelineTraced`) as TracedPipelineResult,
      coldStart: done.get(`${prefix}coldStart`) as ColdStartResult,
    });
    const results = { ...runtime(''), memory: done.get('memory') as MemoryResult, https: done.get('https') as HttpsResult };
    const lambdaRuntime: LambdaRuntimeResults = 'execPath' in lambda
      ? { runtime: lambda.runtime, node: lambda.version, arch: process.arch, ...runtime(ON_LAMBDA_NODE) }
      : lambda;
    return { mode, startedAt, node: process.version, ...results, lambdaRuntime, sectionSeconds };
  } finally {
    await issuer.close();
    await dynamo.close();
  }
}
