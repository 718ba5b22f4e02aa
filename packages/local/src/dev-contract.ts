import { isAbsolute, relative } from 'node:path';
import type { CertificateBoundCredentials, SystemClientCredentials, SystemClientName } from './issuer-clients.js';
import { writeSecretFile } from './state-files.js';

/** `.local/dev.json`: how tools and later suites find the running stack (see the README). */
export interface DevContract {
  baseUrl: string;
  issuer: string;
  tokenEndpoint: string;
  audience: string;
  /** Relative to the working directory when inside it, else absolute. */
  caCertFile: string;
  apiKeys: { standard: string; partner: string };
  clients: Record<SystemClientName, SystemClientCredentials>;
  /** The SMART Backend Services client: it signs client assertions with the private JWK in `keyFile`. */
  backendService: { clientId: string; scope: string; keyFile: string };
  /** The client that authenticates with its certificate and gets tokens bound to it (needs `--mtls`). */
  certificateBoundService: CertificateBoundCredentials;
}

export function displayPath(file: string, cwd = process.cwd()): string {
  const fromCwd = relative(cwd, file);
  return fromCwd.startsWith('..') || isAbsolute(fromCwd) ? file : fromCwd;
}

/** Written 0600: it holds the client secrets and API keys. */
export async function writeDevContract(file: string, contract: DevContract): Promise<void> {
  await writeSecretFile(file, `${JSON.stringify(contract, null, 2)}\n`);
}
