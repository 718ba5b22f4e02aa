/**
 * Sends what the process writes to stdout and stderr (where the Powertools Logger prints)
 * into a counting null sink, so a bench keeps paying for building, redacting and serialising
 * every log line but the terminal is not flooded. `restore` puts the streams back.
 */
export function nullLogSink() {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  let bytes = 0;
  let writes = 0;
  const sink = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    writes += 1;
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  for (const stream of streams) stream.write = sink;
  return {
    bytes: () => bytes,
    writes: () => writes,
    restore: () => streams.forEach((stream, i) => { stream.write = originals[i] as typeof stream.write; }),
  };
}
