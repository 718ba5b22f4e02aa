import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sealing } from './chain-seal.js';
import { sealMessage } from './chain-seal.js';
import { localSealing } from './local-seal.js';
import { onFirstUse } from './sealing.js';

const head = { chain: '0b7c6f0e-7a57-4d8e-9c1f-3f0e6c1d2a4b', lastSeq: '000000000000', lastHash: 'a'.repeat(64) };

function loader(failures = 0) {
  const dir = mkdtempSync(join(tmpdir(), 'sealing-'));
  const state = { loads: 0 };
  const load = async (): Promise<Sealing> => {
    state.loads += 1;
    if (state.loads <= failures) throw new Error('load failed');
    return localSealing(join(dir, 'key.json'), join(dir, 'anchors'));
  };
  return { state, load };
}

describe('AWS sealing, loaded on first use', () => {
  it('loads nothing until a seal is made, then loads once for every caller', async () => {
    const { state, load } = loader();
    const sealing = onFirstUse(load);
    expect(state.loads).toBe(0);
    const message = sealMessage(head);
    const [mac, again] = await Promise.all([sealing.key.mac(message), sealing.key.mac(message)]);
    expect(mac).toBe(again);
    expect(await sealing.key.verify(message, mac)).toBe(true);
    expect(await sealing.key.verify(message, Buffer.alloc(32).toString('base64'))).toBe(false);
    await sealing.anchors.put({ ...head, mac });
    expect(await sealing.anchors.list()).toEqual([{ chain: head.chain, lastSeq: head.lastSeq, content: { ...head, mac } }]);
    expect(state.loads).toBe(1);
  });

  it('tries a failed load again on the next use rather than keep the failure', async () => {
    const { state, load } = loader(1);
    const sealing = onFirstUse(load);
    await expect(sealing.anchors.list()).rejects.toThrow('load failed');
    expect(await sealing.anchors.list()).toEqual([]);
    expect(state.loads).toBe(2);
  });
});
