/**
 * `npm run load`: the mixed phase (LOAD_SECONDS, default 60, at LOAD_RATE req/s, default 20),
 * then the burst above the usage plan, then the consistency check. Prints the figures as
 * markdown and exits non-zero when the check fails.
 */
import { FULL_LOAD, loadMarkdown, runLoad } from './load.js';

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

const report = await runLoad({
  ...FULL_LOAD,
  seconds: positive('LOAD_SECONDS', FULL_LOAD.seconds),
  rate: positive('LOAD_RATE', FULL_LOAD.rate),
});
process.stdout.write(loadMarkdown(report));
if (!report.check.passed) {
  process.stdout.write(`Mismatched: ${report.check.mismatched.join(', ') || 'none'}\n`);
  process.exitCode = 1;
}
