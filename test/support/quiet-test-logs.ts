/**
 * Vitest setup file: the functions' JSON log lines and metrics (EMF) lines (Powertools writes them
 * straight to stdout and stderr) go to a sink during tests, not the terminal, unless
 * LOG_TO_CONSOLE=1. Other output passes. Tests that read the logs capture them with
 * captureLogs() (test/support/logs.ts).
 */
const isLogLine = (chunk: unknown) => typeof chunk === 'string' && (chunk.startsWith('{"level":') || chunk.startsWith('{"_aws":'));

if (process.env.LOG_TO_CONSOLE !== '1') {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
      if (!isLogLine(chunk)) return write(chunk, ...rest);
      (rest.find((arg) => typeof arg === 'function') as (() => void) | undefined)?.();
      return true;
    }) as typeof stream.write;
  }
}
