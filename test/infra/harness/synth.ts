/**
 * Runs the SST program offline: the bundled `sst.config.ts` under Pulumi mocks, with a fake
 * SST server, returning every resource it declares. No AWS, no network beyond loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleProgram, platform, root } from './bundle.js';
import { recordingMocks, type RecordedResource } from './mocks.js';
import { startFakeSstServer } from './sst-server.js';
import { unwrap } from './unwrap.js';

/** Pulumi's stack transformation signature, kept structural so the harness needs no Pulumi types. */
export interface TransformArgs { type: string; name: string; props: Record<string, unknown>; opts: Record<string, unknown> }
/** Pulumi's `output()`, for transforms that change a property only known as an Output. */
export type OutputOf = (value: unknown) => { apply(fn: (value: never) => unknown): unknown };
export type StackTransform = (args: TransformArgs, output: OutputOf) => { props: Record<string, unknown>; opts: Record<string, unknown> } | undefined;

export interface SynthOptions {
  stage?: string;
  /** Deploy-time environment (e.g. an external issuer), restored afterwards. */
  env?: Record<string, string>;
  /** Applied to every resource before registration: how tests build broken variants. */
  transform?: StackTransform;
}

export interface Synth {
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  rpcMethods: Set<string>;
  invokes: Set<string>;
  unknownInvokes: Set<string>;
  builds: Array<Record<string, unknown>>;
}

interface ProgramModule {
  pulumi: {
    output: OutputOf;
    runtime: {
      setMocks(mocks: object, project: string, stack: string, preview: boolean): Promise<void>;
      runInPulumiStack(fn: () => Promise<unknown>): Promise<Record<string, unknown> | undefined>;
      registerStackTransformation(t: (args: TransformArgs) => ReturnType<StackTransform>): void;
      disconnect(): Promise<void>;
    };
  };
  run(program: () => Promise<unknown>): Promise<unknown>;
  config: { app(input: { stage: string }): Promise<Record<string, unknown>> | Record<string, unknown>; run(): Promise<unknown> };
}

let bundled: Promise<string> | undefined;
let evaluation = 0;

function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  return fn().finally(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });
}

/** Rejects on an error thrown inside an `.apply()`, which would otherwise hang the run. */
function failOnStrayErrors<T>(work: Promise<T>): Promise<T> {
  let onError: (e: unknown) => void = () => {};
  const stray = new Promise<never>((_, reject) => {
    onError = reject;
    process.on('unhandledRejection', onError);
    process.on('uncaughtException', onError);
  });
  return Promise.race([work, stray]).finally(() => {
    process.off('unhandledRejection', onError);
    process.off('uncaughtException', onError);
  });
}

export async function synth(options: SynthOptions = {}): Promise<Synth> {
  const stage = options.stage ?? 'ci';
  bundled ??= bundleProgram();
  const bundle = await bundled;
  const work = mkdtempSync(path.join(tmpdir(), 'infra-synth-'));
  const server = await startFakeSstServer(work);
  const cwd = process.cwd();
  const g = globalThis as Record<string, unknown>;
  const stackTraceLimit = Error.stackTraceLimit;
  try {
    return await withEnv({ ...options.env, SST_SERVER: server.url, PULUMI_CONFIG: JSON.stringify({ 'aws:region': 'ap-southeast-2' }) }, async () => {
      g.$dev = false;
      g.$cli = { command: 'deploy', rpc: server.url, paths: { home: work, root, work, platform }, state: { version: {} } };
      // A fresh module instance per synth: `run()`'s dynamic imports evaluate again.
      const m = (await import(`${pathToFileURL(bundle).href}?run=${++evaluation}`)) as ProgramModule;
      const app = await m.config.app({ stage });
      g.$app = { ...app, stage, removal: app.removal ?? 'retain', protect: Boolean(app.protect) };

      // Pulumi records `new Error().stack` for every promise it makes (leak diagnostics); with
      // source maps on, that dominates the synth. Set after the import, which needs stacks.
      Error.stackTraceLimit = 0;
      const mocks = recordingMocks();
      await m.pulumi.runtime.setMocks(mocks, String(app.name), stage, false);
      const outputs = await failOnStrayErrors((async () => {
        const result = await m.pulumi.runtime.runInPulumiStack(async () => {
          const { transform } = options;
          if (transform) m.pulumi.runtime.registerStackTransformation((args) => transform(args, m.pulumi.output));
          return m.run(m.config.run);
        });
        // Registrations made inside `.apply()` finish only once the runtime drains.
        await m.pulumi.runtime.disconnect();
        return result ?? {};
      })());
      return {
        resources: mocks.resources.map((r) => ({ ...r, inputs: unwrap(r.inputs) as Record<string, unknown>, state: unwrap(r.state) as Record<string, unknown> })),
        outputs: unwrap(outputs) as Record<string, unknown>,
        rpcMethods: server.methods,
        invokes: mocks.invokes,
        unknownInvokes: mocks.unknownInvokes,
        builds: server.builds,
      };
    });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    process.chdir(cwd);
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}
