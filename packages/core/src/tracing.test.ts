import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Whether a fresh process with this environment loads the Tracer (decided when tracing.ts loads). */
function tracerLoaded(env: Record<string, string>): boolean {
  const probe = "const { tracer } = await import('@health-api/core/tracing'); process.stdout.write(String(tracer !== undefined));";
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.NODE_OPTIONS;
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { env: childEnv, encoding: 'utf8' }) === 'true';
}

describe('where functions trace', () => {
  it('loads the Tracer in Lambda, not elsewhere, and not when POWERTOOLS_TRACE_ENABLED=false (HEALTH_API_XRAY_SUBSEGMENTS=false)', () => {
    const lambda = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', LAMBDA_TASK_ROOT: '/var/task' };
    expect(tracerLoaded(lambda)).toBe(true);
    expect(tracerLoaded({})).toBe(false);
    expect(tracerLoaded({ ...lambda, POWERTOOLS_TRACE_ENABLED: 'false' })).toBe(false);
  });
});
