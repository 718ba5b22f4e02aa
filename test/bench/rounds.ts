import type { APIGatewayProxyResult } from 'aws-lambda';
import { Bench } from 'tinybench';
import type { BenchSizes } from './sizes.js';
import type { Latency } from './stats.js';
import { latencyOfMs } from './stats.js';

/** Turns each task takes. */
const ROUNDS = 4;

export function expectOk(result: APIGatewayProxyResult, what: string): void {
  if (result.statusCode !== 200) throw new Error(`${what} answered ${result.statusCode}, not 200: the bench would measure an error path`);
}

/**
 * Times each task (tinybench) in short rounds, the tasks taking turns, so a burst of load from
 * the shared machine falls on all of them rather than on whichever ran at that moment; returns
 * each task's latency by name.
 */
export async function timeInRounds(sizes: BenchSizes, tasks: Record<string, () => unknown>): Promise<(name: string) => Latency> {
  const bench = new Bench({ time: sizes.pipelineTimeMs / ROUNDS, iterations: Math.ceil(sizes.pipelineIterations / ROUNDS), warmupTime: 50, throws: true });
  for (const [name, task] of Object.entries(tasks)) bench.add(name, task);
  const samples = new Map<string, number[]>();
  for (let turn = 0; turn < ROUNDS; turn += 1) {
    for (const task of await bench.run()) {
      if (!task.result || task.result.error) throw task.result?.error ?? new Error(`no result for ${task.name}`);
      samples.set(task.name, [...(samples.get(task.name) ?? []), ...task.result.latency.samples]);
    }
  }
  return (name) => latencyOfMs(samples.get(name) ?? []);
}
