import canonicalize from 'canonicalize';
import { validate as validateUuid } from 'uuid';

/**
 * Keyed heads of the audit chains. The hash chain alone is unkeyed: whoever can write the table
 * could rewrite a record and re-hash the rest, cut off a chain's last records, or delete a whole
 * chain. So the writer seals a chain's head, `(chain, lastSeq, lastHash)`, with a MAC under a key
 * it can use for nothing else (KMS GenerateMac in AWS), keeps the seal beside the chain's opening
 * in the seals table, and anchors the same seal in an append-only store (S3 Object Lock in
 * compliance mode; a directory locally). A verifier that holds the key then knows, for each
 * sealed position, the hash the chain must have there, and that the chain reaches that far.
 */

export interface ChainHead {
  chain: string;
  /** Position of the last record covered, formatted as the record's sort key. */
  lastSeq: string;
  lastHash: string;
}

export interface ChainSeal extends ChainHead {
  /** Base64 MAC over `sealMessage(head)`. */
  mac: string;
}

/** Makes and checks seal MACs; the writer's key can only make them in AWS. */
export interface SealKey {
  mac: (message: Buffer) => Promise<string>;
  verify: (message: Buffer, mac: string) => Promise<boolean>;
}

/** One anchor as stored: where it is (chain and position, from its name) and what it says. */
export interface Anchor {
  chain: string;
  lastSeq: string;
  /** The parsed content, or undefined when it is not JSON. */
  content: unknown;
}

/** Where seals are anchored out of the writer's reach to change or remove. */
export interface AnchorStore {
  /** Adds a seal under `<chain>/<lastSeq>`; never replaces one. */
  put: (seal: ChainSeal) => Promise<void>;
  /** Every anchor, in no particular order. */
  list: () => Promise<Anchor[]>;
}

export interface Sealing {
  key: SealKey;
  anchors: AnchorStore;
}

/** Chain ids are UUIDs, lower case as made, and positions 12 digits: nothing else names a file or an object key. */
export const isChainId = (name: string): boolean => validateUuid(name) && name === name.toLowerCase();
const SEQ = /^\d{12}$/;

/** `<chain>/<lastSeq>.json` as an anchor's place; anything else in the store is not an anchor. */
export function anchorPlace(chain: string, file: string): Omit<Anchor, 'content'> | undefined {
  const lastSeq = file.replace(/\.json$/, '');
  return isChainId(chain) && SEQ.test(lastSeq) && file === `${lastSeq}.json` ? { chain, lastSeq } : undefined;
}

/** An anchor's text as JSON; text that is not JSON is kept as undefined and reported as a forged seal. */
export function anchorContent(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Domain-separated, canonical bytes: a MAC over a seal can never pass for one over anything else. */
export function sealMessage({ chain, lastSeq, lastHash }: ChainHead): Buffer {
  return Buffer.from(`health-api/audit-seal/v1\n${canonicalize({ chain, lastSeq, lastHash }) ?? ''}`);
}

/** The seal an anchor or a head item holds, if it is one for the place it is stored at. */
export function sealAt(place: Omit<ChainHead, 'lastHash'>, value: unknown): ChainSeal | undefined {
  const { chain, lastSeq, lastHash, mac } = (value ?? {}) as Record<string, unknown>;
  if (chain !== place.chain || lastSeq !== place.lastSeq || typeof lastHash !== 'string' || typeof mac !== 'string') return undefined;
  return { chain, lastSeq, lastHash, mac };
}
