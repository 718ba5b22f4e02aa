import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestIssuer } from './issuer.js';

/** Points the handlers' configuration at a test issuer (read once, on the first request). */
export function configureAuth(issuer: TestIssuer, extra: Record<string, string> = {}): void {
  const caFile = join(mkdtempSync(join(tmpdir(), 'auth-ca-')), 'ca.pem');
  writeFileSync(caFile, issuer.caPem);
  Object.assign(process.env, {
    AUTH_ISSUER: issuer.issuer,
    AUTH_AUDIENCE: issuer.audience,
    AUTH_JWKS_URI: issuer.jwksUri,
    AUTH_EXTRA_CA_FILE: caFile,
    ...extra,
  });
}
