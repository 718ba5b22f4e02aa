/**
 * Pulumi marks secrets and resource references with a signature key; under mocks they are the
 * only non-plain shapes left in resource inputs. This turns them into plain values.
 */
const SIGNATURE = '4dabf18193072939515e22adb298388d';
const SECRET = '1b47061264138c4ac30d75fd1eb44270';
const RESOURCE_REFERENCE = '5cf8f73096256a8f31e491e813e4eb8e';

export function unwrap(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrap);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (record[SIGNATURE] === SECRET) return unwrap(record.value);
  if (record[SIGNATURE] === RESOURCE_REFERENCE) return record.id ?? record.urn;
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrap(v)]));
}
