import { describe, expect, it } from 'vitest';
import { readConfig } from '../config.js';

const base = { AUTH_ISSUER: 'https://issuer.test', AUTH_AUDIENCE: 'https://api.test' };

describe('data key configuration', () => {
  it('uses the KMS field key and the blind-index secret in AWS, by ARN only', () => {
    const env = { ...base, FIELD_KEY_ARN: 'arn:aws:kms:ap-southeast-2:1:key/k', BLIND_INDEX_SECRET_ARN: 'arn:aws:secretsmanager:ap-southeast-2:1:secret:s', LOCAL_DATA_KEY_FILE: '/tmp/x' };
    expect(readConfig(env).data.keys).toEqual({ source: 'aws', fieldKeyArn: env.FIELD_KEY_ARN, blindIndexSecretArn: env.BLIND_INDEX_SECRET_ARN });
  });

  it('refuses half an AWS key configuration rather than fall back to the local file', () => {
    expect(() => readConfig({ ...base, FIELD_KEY_ARN: 'arn:aws:kms:x', LOCAL_DATA_KEY_FILE: '/tmp/x' }).data.keys).toThrow('BLIND_INDEX_SECRET_ARN');
  });

  it('uses the local key file otherwise, and has no unencrypted mode', () => {
    expect(readConfig({ ...base, LOCAL_DATA_KEY_FILE: '/state/keys/data-keys.json' }).data.keys).toEqual({ source: 'local-file', file: '/state/keys/data-keys.json' });
    expect(() => readConfig(base).data.keys).toThrow('LOCAL_DATA_KEY_FILE');
  });

  it('asks for keys only when the data layer does: routes without data need none', () => {
    expect(() => readConfig(base)).not.toThrow();
  });
});
