/**
 * A stand-in for the sst CLI's RPC server (`SST_SERVER`), answering the two calls a deploy
 * makes under mocks: the provider bootstrap and the function build. Records every method seen.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface FakeSstServer {
  url: string;
  methods: Set<string>;
  builds: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startFakeSstServer(workDir: string): Promise<FakeSstServer> {
  // The platform zips and hashes this directory; a fixed stub keeps the S3 key stable.
  const out = path.join(workDir, 'build-output');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'handler.mjs'), 'export const handler = async () => ({ statusCode: 200 });\n');

  const methods = new Set<string>();
  const builds: Array<Record<string, unknown>> = [];
  const handlers: Record<string, (params: Record<string, unknown>) => unknown> = {
    'Provider.Aws.Bootstrap': () => ({
      asset: 'sst-asset-bucket', assetEcrRegistryId: '123456789012',
      assetEcrUrl: '123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/sst-asset', state: 'sst-state-bucket',
      appsyncHttp: '', appsyncRealtime: '',
    }),
    'Runtime.Build': (params) => {
      builds.push(params);
      return { handler: 'handler.handler', out, errors: [], sourcemaps: [] };
    },
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { method, params } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { method: string; params: Array<Record<string, unknown>> };
      methods.add(method);
      const handler = handlers[method];
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(handler
        ? { id: null, result: handler(params[0] ?? {}), error: null }
        : { id: null, result: null, error: `rpc: can't find method ${method}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    methods,
    builds,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
