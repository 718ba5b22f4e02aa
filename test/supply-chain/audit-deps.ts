/**
 * `npm run audit:deps`: `npm audit` of the production dependencies, failing on any high or
 * critical advisory. When the registry's advisory endpoint cannot be reached (some mirrors
 * answer 405), there is no result to judge: that is said plainly and the step does not fail,
 * since failing would block every change for a reason no change can fix.
 */
import { spawnSync } from 'node:child_process';

const UNREACHABLE = /E405|E404|E403|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|audit endpoint returned an error/;

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' });
const out = run.stdout.trim();
const report = out.startsWith('{') ? (JSON.parse(out) as { error?: { code?: string; summary?: string }; metadata?: { vulnerabilities?: Record<string, number> } }) : {};
const vulnerabilities = report.metadata?.vulnerabilities;

if (vulnerabilities) {
  const serious = (vulnerabilities.high ?? 0) + (vulnerabilities.critical ?? 0);
  process.stdout.write(`npm audit (production dependencies): ${JSON.stringify(vulnerabilities)}\n`);
  if (serious > 0) {
    spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high'], { stdio: 'inherit' });
    process.exit(1);
  }
} else if (UNREACHABLE.test(`${report.error?.code ?? ''} ${report.error?.summary ?? ''} ${run.stderr}`)) {
  process.stdout.write(`npm audit: the advisory endpoint is unreachable from here (${report.error?.code ?? 'no answer'}); NO audit result.\n`);
} else {
  process.stderr.write(`npm audit failed unexpectedly:\n${out}\n${run.stderr}\n`);
  process.exit(1);
}
