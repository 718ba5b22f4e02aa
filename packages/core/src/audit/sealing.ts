import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditSealConfig } from '../config.js';
import type { ChainHead, ChainSeal, Sealing } from './chain-seal.js';
import { sealMessage } from './chain-seal.js';
import { localSealing } from './local-seal.js';

/** The sealing the configuration names; the AWS clients load only when it names AWS. */
export async function sealingFor(settings: AuditSealConfig, region: string): Promise<Sealing> {
  if (settings.source === 'aws') return onFirstUse(async () => (await import('./aws-seal.js')).awsSealing(region, settings.macKeyArn, settings.anchorBucket));
  return localSealing(settings.keyFile, settings.anchorDir);
}

/**
 * A sealing that loads on its first MAC or anchor. Seals run beside the requests, so the KMS
 * and S3 clients (about 220 KB of code) load beside a container's first request rather than
 * in front of its first audit record; creating them contacts nothing, so nothing that could
 * fail is put off. A failed load is tried again on the next use.
 */
export function onFirstUse(load: () => Promise<Sealing>): Sealing {
  let loading: Promise<Sealing> | undefined;
  const sealing = () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  return {
    key: {
      mac: async (message) => (await sealing()).key.mac(message),
      verify: async (message, mac) => (await sealing()).key.verify(message, mac),
    },
    anchors: {
      put: async (seal) => (await sealing()).anchors.put(seal),
      list: async () => (await sealing()).anchors.list(),
    },
  };
}

/** Sort keys in the seals table: a chain's opening, then its heads in order. */
export const OPENING_MARK = 'open';
export const HEAD_MARK_PREFIX = 'head#';

/**
 * Writes chains' openings and sealed heads to the seals table, and anchors each seal. Items are
 * put with a condition that never overwrites, as audit records are.
 */
export class SealWriter {
  constructor(private readonly documents: DynamoDBDocumentClient, private readonly table: string, private readonly sealing: Sealing) {}

  /** Names a chain before its first record, so the verifier finds it without a table scan. */
  async open(chain: string): Promise<void> {
    await this.put({ chain, mark: OPENING_MARK, openedAt: new Date().toISOString() });
  }

  async seal(head: ChainHead): Promise<ChainSeal> {
    const seal: ChainSeal = { ...head, mac: await this.sealing.key.mac(sealMessage(head)) };
    await Promise.all([
      this.put({ ...seal, mark: `${HEAD_MARK_PREFIX}${head.lastSeq}`, sealedAt: new Date().toISOString() }),
      this.sealing.anchors.put(seal),
    ]);
    return seal;
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    await this.documents.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(chain)' }));
  }
}
