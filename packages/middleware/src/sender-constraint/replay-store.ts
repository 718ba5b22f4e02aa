import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { config } from '@health-api/core';
import { createHash } from 'node:crypto';

/**
 * Each DPoP proof is accepted once (RFC 9449 section 11.1): a conditional put of the proof's
 * key thumbprint and `jti` into a DynamoDB table, kept by TTL until the proof would be too old
 * anyway. Every container shares the table, so a proof replayed at another Lambda instance is
 * refused too. The table gets PutItem only (infra/permissions.ts).
 */

export interface ReplayStore {
  /** True the first time `jkt`/`jti` is offered; false for every later offer before `expiresAt`. */
  firstUse(jkt: string, jti: string, expiresAt: number): Promise<boolean>;
}

/** Hashed so an item is small whatever the client put in `jti`, and names no client. */
const proofKey = (jkt: string, jti: string): string => createHash('sha256').update(`${jkt}\n${jti}`).digest('base64url');

export function dynamoReplayStore(): ReplayStore {
  return {
    async firstUse(jkt, jti, expiresAt) {
      // Loaded on the first proof: routes of a bearer-only stage never load the SDK for it.
      const { dynamoClient } = await import('@health-api/core/data');
      try {
        await dynamoClient().send(new PutItemCommand({
          TableName: config().data.tableNames.dpopProofs,
          Item: { proof: { S: proofKey(jkt, jti) }, expiresAt: { N: String(expiresAt) } },
          ConditionExpression: 'attribute_not_exists(proof)',
        }));
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  };
}
