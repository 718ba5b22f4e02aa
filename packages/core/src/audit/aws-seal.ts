/**
 * Sealing in AWS: the KMS HMAC key (HMAC_SHA_256) and the S3 Object Lock bucket. Loaded only
 * when the configuration names them, so the local stack never loads the KMS and S3 clients,
 * and then on the first seal, beside a request (sealing.ts).
 */
import { GenerateMacCommand, KMSClient, KMSInvalidMacException, VerifyMacCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AWS_CLIENT_LIMITS } from '../aws-client-limits.js';
import { traced } from '../tracing.js';
import { AUDIT_ANCHOR_PREFIX, anchorKey } from './anchor-key.js';
import type { Anchor, AnchorStore, SealKey, Sealing } from './chain-seal.js';
import { anchorContent, anchorPlace } from './chain-seal.js';

const MAC_ALGORITHM = 'HMAC_SHA_256';

function kmsSealKey(kms: KMSClient, keyId: string): SealKey {
  return {
    mac: async (message) => {
      const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: MAC_ALGORITHM }));
      return Buffer.from(Mac ?? new Uint8Array()).toString('base64');
    },
    verify: async (message, mac) => {
      try {
        const { MacValid } = await kms.send(new VerifyMacCommand({ KeyId: keyId, Message: message, Mac: Buffer.from(mac, 'base64'), MacAlgorithm: MAC_ALGORITHM }));
        return MacValid === true;
      } catch (error) {
        if (error instanceof KMSInvalidMacException) return false;
        throw error;
      }
    },
  };
}

/**
 * `anchors/<chain>/<lastSeq>.json` (anchor-key.ts) in a bucket whose default retention is compliance mode. Each
 * put is conditional (`If-None-Match: *`, which the bucket policy requires), so an anchor is
 * written once and never gets a second version; Object Lock keeps it from deletion.
 */
function s3Anchors(s3: S3Client, bucket: string): AnchorStore {
  const read = async (key: string) => (await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString()) ?? '';
  return {
    put: async (seal) => {
      await s3.send(new PutObjectCommand({
        Bucket: bucket, Key: anchorKey(seal.chain, seal.lastSeq), Body: JSON.stringify(seal),
        ContentType: 'application/json', IfNoneMatch: '*',
      }));
    },
    list: async () => {
      const anchors: Anchor[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: AUDIT_ANCHOR_PREFIX, ...(token ? { ContinuationToken: token } : {}) }));
        // One page (at most 1000 objects) read at a time keeps the verifier's requests bounded.
        anchors.push(...await Promise.all((page.Contents ?? []).flatMap(({ Key = '' }) => {
          const [chain = '', file = ''] = Key.slice(AUDIT_ANCHOR_PREFIX.length).split('/');
          const place = anchorPlace(chain, file);
          return place ? [read(Key).then((text) => ({ ...place, content: anchorContent(text) }))] : [];
        })));
        token = page.NextContinuationToken;
      } while (token);
      return anchors;
    },
  };
}

export function awsSealing(region: string, macKeyArn: string, anchorBucket: string): Sealing {
  return {
    key: kmsSealKey(traced(new KMSClient({ region, ...AWS_CLIENT_LIMITS })), macKeyArn),
    anchors: s3Anchors(traced(new S3Client({ region, ...AWS_CLIENT_LIMITS })), anchorBucket),
  };
}
