import { vi } from 'vitest';

/** Captures everything written to stdout and stderr (where the Powertools Logger writes). */
export function captureLogs() {
  const lines: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }),
  );
  return {
    text: () => lines.join(''),
    records: () => lines.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
    clear: () => { lines.length = 0; },
    restore: () => { for (const spy of spies) spy.mockRestore(); },
  };
}
