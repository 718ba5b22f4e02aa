/**
 * Every search parameter the CapabilityStatement advertises, over HTTPS, with well-formed values
 * of its FHIR type in each form FHIR gives that type (and the parameters its search-parameter
 * combination requires): each answers 200 with a searchset Bundle, empty when nothing matches.
 * Only what FHIR calls malformed may be refused, so nothing here is.
 */
import type { LocalStack } from '@health-api/local';
import { startLocalStack } from '@health-api/local';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackClient } from '../local/stack-client.js';
import { clientCredentialsToken, stackClient } from '../local/stack-client.js';

interface SearchParam { name: string; type: string }
interface Combination { url: string; extension: Array<{ url: string; valueString: string }> }
interface RestResource { type: string; searchParam?: SearchParam[]; extension?: Combination[] }

let stack: LocalStack;
let client: StackClient;
let resources: RestResource[];
const tokens = new Map<string, string>();
const ID = 'no-such-patient';

beforeAll(async () => {
  stack = await startLocalStack({ gatewayPort: 0, issuerPort: 0, stateDir: mkdtempSync(join(tmpdir(), 'capability-walk-')) });
  client = stackClient(stack);
  const statement = await (await client.fetch(`${stack.baseUrl}/metadata`)).json() as { rest: Array<{ resource: RestResource[] }> };
  resources = statement.rest[0]?.resource ?? [];
});
afterAll(async () => {
  await client?.close();
  await stack?.close();
});

/** Well-formed values of each FHIR search parameter type (https://hl7.org/fhir/R4/search.html#ptypes). */
const VALUES: Record<string, (base: string) => string[]> = {
  token: () => ['ZAC5361', 'http://example.org/system|ZAC5361', '|ZAC5361', 'ZAC5361,http://example.org/system|x-1', 'http://example.org/system|'],
  reference: (base) => [ID, `Patient/${ID}`, `${base}/Patient/${ID}`],
  date: () => [
    '2024', '2024-05', '2024-05-01', '2024-05-01T10:00:00Z', '2024-05-01T10:00:00+12:00', '2024-05-01T10:00', 'eq2024-05-01', 'ne2024-05-01',
    'gt2024-05-01', 'lt2024-05-01', 'ge2024-05-01', 'le2024-05-01', 'sa2024-05-01', 'eb2024-05-01', 'ap2024-05-01',
  ],
};
// `system|` of the NHI system would ask for every patient with an NHI: not a search this server runs.
const UNSUPPORTED = new Set(['identifier=https://standards.digital.health.nz/ns/nhi-id|']);

/** A token of a system client that may search `type`. */
async function tokenFor(type: string): Promise<string> {
  const name = Object.entries(stack.clients).find(([, c]) => c.scope.split(' ').some((s) => s.startsWith(`system/${type}.`) && s.endsWith('s')))?.[0];
  if (!name) throw new Error(`no local client searches ${type}`);
  if (!tokens.has(name)) tokens.set(name, await clientCredentialsToken(client, stack, name as keyof LocalStack['clients']));
  return tokens.get(name) as string;
}

describe('every advertised search parameter', () => {
  it('is walked for every searchable type of the CapabilityStatement', () => {
    expect(resources.filter((r) => r.searchParam).map((r) => r.type).sort()).toEqual(['AuditEvent', 'Observation', 'Patient']);
  });

  it('answers 200 with a searchset Bundle for each well-formed value of its type, with the parameters its search requires', async () => {
    const failures: string[] = [];
    for (const resource of resources.filter((r) => r.searchParam)) {
      const required = resource.extension?.[0]?.extension.filter((e) => e.url === 'required').map((e) => e.valueString) ?? [];
      const typeOf = new Map((resource.searchParam ?? []).map((p) => [p.name, p.type]));
      const first = (name: string) => (VALUES[typeOf.get(name) as string] as (base: string) => string[])(stack.baseUrl)[0] as string;
      const token = await tokenFor(resource.type);
      for (const param of resource.searchParam ?? []) {
        const values = VALUES[param.type]?.(stack.baseUrl);
        if (!values) { failures.push(`${resource.type}.${param.name}: no values for type ${param.type}`); continue; }
        for (const value of values.filter((v) => !UNSUPPORTED.has(`${param.name}=${v}`))) {
          const query = new URLSearchParams([...required.filter((name) => name !== param.name).map((name): [string, string] => [name, first(name)]), [param.name, value]]);
          const response = await client.fetch(`${stack.baseUrl}/${resource.type}?${query}`, {
            headers: { authorization: `Bearer ${token}`, 'x-api-key': stack.apiKeys.standard as string },
          });
          const body = await response.json() as { resourceType?: string; type?: string };
          if (response.status !== 200 || body.resourceType !== 'Bundle' || body.type !== 'searchset') failures.push(`${resource.type}?${query}: ${response.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
