/**
 * The blind-index key material as the AWS path reads it: from Secrets Manager (a local stand-in
 * for its API, the only mock), decoded as strict base64.
 */
import { KmsKeyringNode } from '@aws-crypto/kms-keyring-node';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataKeys } from './data-keys.js';
import { strictBase64 } from './strict-base64.js';

const material = randomBytes(32).toString('base64');
let secretString = '';
const server = createServer((request, response) => {
  request.resume().on('end', () => {
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify({ ARN: 'arn:aws:secretsmanager:ap-southeast-2:1:secret:index', Name: 'index', SecretString: secretString }));
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AUTH_ISSUER: 'https://issuer.test', AUTH_AUDIENCE: 'https://api.test', AWS_REGION: 'ap-southeast-2',
    AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    FIELD_KEY_ARN: 'arn:aws:kms:ap-southeast-2:1:key/k', BLIND_INDEX_SECRET_ARN: 'arn:aws:secretsmanager:ap-southeast-2:1:secret:index',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('blind-index secret', () => {
  it.each([
    ['a key/value JSON secret around the base64', `{"key":"${material}"}`],
    ['base64 with a character outside the alphabet', `${material.slice(0, 20)}!${material.slice(20)}`],
    ['base64 with a line break', `${material.slice(0, 20)}\n${material.slice(20)}`],
  ])('is refused when it is %s, without quoting it', async (_case, text) => {
    secretString = text;
    const derived = dataKeys().derive('blind-index:nhi');
    await expect(derived).rejects.toThrow('The blind-index secret must hold at least 32 bytes, base64');
    await expect(derived).rejects.not.toThrow(material.slice(0, 8));
  });

  it('is read when it is canonical base64 of at least 32 bytes (a failed read is retried)', async () => {
    secretString = material;
    await expect(dataKeys().derive('blind-index:nhi')).resolves.toHaveLength(32);
  });
});

describe('strictBase64', () => {
  it('decodes canonical padded base64 and nothing else', () => {
    expect(strictBase64('AAEC')).toEqual(Buffer.from([0, 1, 2]));
    expect(strictBase64('AAE=')).toEqual(Buffer.from([0, 1]));
    expect(strictBase64('')).toEqual(Buffer.alloc(0));
    for (const text of ['AAE', 'AA-_', 'AAF=', ' AAEC', 'AAEC\n', 'AA==AAEC']) expect(strictBase64(text), text).toBeUndefined();
  });
});

describe('data key keyring in AWS', () => {
  it('wraps data keys with the KMS field key, loading the KMS keyring only when asked', async () => {
    const keyring = await dataKeys().keyring();
    expect(keyring).toBeInstanceOf(KmsKeyringNode);
    expect((keyring as KmsKeyringNode).generatorKeyId).toBe('arn:aws:kms:ap-southeast-2:1:key/k');
  });
});
