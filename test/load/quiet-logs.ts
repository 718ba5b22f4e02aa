/**
 * Keeps the handlers' per-request log lines (Powertools prints JSON to stdout and stderr) off
 * the terminal during a load run, while they are still built and serialised, and counts the
 * WARN and ERROR lines among them for the report. `restore` puts the streams back.
 */
export function quietLogs() {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  let warnings = 0;
  const sink = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    warnings += text.match(/"level":"(?:WARN|ERROR|CRITICAL)"/g)?.length ?? 0;
    (rest.find((arg) => typeof arg === 'function') as (() => void) | undefined)?.();
    return true;
  }) as typeof process.stdout.write;
  for (const stream of streams) stream.write = sink;
  return {
    warnings: () => warnings,
    restore: () => streams.forEach((stream, i) => { stream.write = originals[i] as typeof stream.write; }),
  };
}
