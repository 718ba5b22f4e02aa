/**
 * Customer-managed KMS keys: symmetric encryption keys with yearly automatic rotation, and HMAC
 * keys (which KMS cannot rotate automatically; a MAC key's seals must verify for as long as
 * they are kept). The key policy is AWS's default (the account administers the key through IAM)
 * plus any service principals a key must serve directly.
 */

const region = aws.getRegionOutput().region;
const accountId = aws.getCallerIdentityOutput().accountId;
const partition = aws.getPartitionOutput().partition;

export interface ServiceGrant {
  sid: string;
  service: $util.Input<string>;
  actions: string[];
  /** Condition block limiting the service to this account's resources. */
  condition?: Record<string, Record<string, $util.Input<string>>>;
}

export type KeyUse = 'encrypt' | 'mac';

export function customerManagedKey(name: string, description: string, services: ServiceGrant[] = [], use: KeyUse = 'encrypt'): aws.kms.Key {
  return new aws.kms.Key(name, {
    description,
    ...(use === 'mac'
      ? { customerMasterKeySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC', enableKeyRotation: false }
      : { enableKeyRotation: true, rotationPeriodInDays: 365 }),
    deletionWindowInDays: 30,
    policy: $jsonStringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AccountAdministersKeyThroughIam',
          Effect: 'Allow',
          Principal: { AWS: $interpolate`arn:${partition}:iam::${accountId}:root` },
          Action: 'kms:*',
          // Key policies always name the key itself as "*".
          Resource: '*',
        },
        ...services.map((grant) => ({
          Sid: grant.sid,
          Effect: 'Allow',
          Principal: { Service: grant.service },
          Action: grant.actions,
          Resource: '*',
          ...(grant.condition ? { Condition: grant.condition } : {}),
        })),
      ],
    }),
  });
}

export const awsContext = { region, accountId, partition };
