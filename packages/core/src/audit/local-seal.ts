import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadKeyFile } from '../crypto/local-key-file.js';
import type { AnchorStore, ChainSeal, SealKey, Sealing } from './chain-seal.js';
import { anchorContent, anchorPlace, isChainId } from './chain-seal.js';

/** HMAC-SHA256 with the key of `LOCAL_AUDIT_KEY_FILE`, created on first use. */
function localSealKey(file: string): SealKey {
  const { macKey } = loadKeyFile(file, ['macKey'], 'audit key');
  const mac = (message: Buffer) => createHmac('sha256', macKey).update(message).digest();
  return {
    mac: async (message) => mac(message).toString('base64'),
    verify: async (message, sent) => {
      const given = Buffer.from(sent, 'base64');
      const expected = mac(message);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

/**
 * The local stand-in for the Object Lock bucket: `<dir>/<chain>/<lastSeq>.json`, each created
 * exclusively and read-only, so the writer never replaces an anchor.
 */
function directoryAnchors(dir: string): AnchorStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return {
    put: async (seal: ChainSeal) => {
      const chainDir = join(dir, seal.chain);
      await mkdir(chainDir, { recursive: true, mode: 0o700 });
      await writeFile(join(chainDir, `${seal.lastSeq}.json`), JSON.stringify(seal), { flag: 'wx', mode: 0o400 });
    },
    list: async () => {
      const chains = (await readdir(dir)).filter((name) => isChainId(name));
      const places = (await Promise.all(chains.map(async (chain) => (await readdir(join(dir, chain)))
        .map((file) => anchorPlace(chain, file)).filter((place) => place !== undefined)))).flat();
      return Promise.all(places.map(async (place) => ({
        ...place, content: anchorContent(await readFile(join(dir, place.chain, `${place.lastSeq}.json`), 'utf8')),
      })));
    },
  };
}

export const localSealing = (keyFile: string, anchorDir: string): Sealing => ({ key: localSealKey(keyFile), anchors: directoryAnchors(anchorDir) });
