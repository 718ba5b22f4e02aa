/**
 * How much work each section does. The full run is what `npm run bench` measures; the smoke run
 * only proves every section still runs and yields ratios (CI), so its numbers mean nothing.
 */
export interface BenchSizes {
  /** tinybench: time and iteration floor per task. */
  pipelineTimeMs: number;
  pipelineIterations: number;
  /** Distinct tokens cycled by the fresh-token task and the memory batches (full run: more than the verifier cache holds). */
  freshTokens: number;
  /** Fresh node processes per bundle, and how many routes of the manifest to bundle. */
  coldStartProcesses: number;
  coldStartRoutes: number;
  /** Requests per memory reading (two readings after the first batch). */
  memoryRequests: number;
  /** autocannon: connections and seconds per server. */
  httpsConnections: number;
  httpsSeconds: number;
  /** Seconds of the same load before each measured one, not counted. */
  httpsWarmupSeconds: number;
  /** A read's two DynamoDB calls made straight to the emulator before the HTTPS runs (see emulator-warmup.ts). */
  emulatorWarmupPairs: number;
}

export const FULL: BenchSizes = {
  pipelineTimeMs: 2000,
  pipelineIterations: 2000,
  freshTokens: 3000,
  coldStartProcesses: 20,
  coldStartRoutes: Number.POSITIVE_INFINITY,
  memoryRequests: 10_000,
  httpsConnections: 10,
  httpsSeconds: 5,
  httpsWarmupSeconds: 3,
  emulatorWarmupPairs: 3000,
};

export const SMOKE: BenchSizes = {
  pipelineTimeMs: 100,
  pipelineIterations: 200,
  freshTokens: 300,
  coldStartProcesses: 2,
  coldStartRoutes: 2,
  memoryRequests: 300,
  httpsConnections: 2,
  httpsSeconds: 1,
  httpsWarmupSeconds: 0,
  emulatorWarmupPairs: 20,
};
