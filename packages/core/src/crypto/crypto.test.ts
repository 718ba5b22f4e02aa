import { mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { blindIndex } from './blind-index.js';
import { openCursor, sealCursor } from './cursor.js';
import { openJson, sealJson } from './envelope.js';
import { loadLocalKeyFile } from './local-key-file.js';

const dir = mkdtempSync(join(tmpdir(), 'crypto-test-'));
const keyFile = join(dir, 'keys', 'data-keys.json');

beforeAll(() => {
  Object.assign(process.env, { AUTH_ISSUER: 'https://issuer.test', AUTH_AUDIENCE: 'https://api.test', LOCAL_DATA_KEY_FILE: keyFile });
});

describe('local key file', () => {
  it('is created on first use with mode 0600 and then reused', () => {
    const first = loadLocalKeyFile(keyFile);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(first.wrappingKey).toHaveLength(32);
    expect(first.indexKey).toHaveLength(32);
    expect(first.wrappingKey.equals(first.indexKey)).toBe(false);
    expect(loadLocalKeyFile(keyFile)).toEqual(first);
  });

  it('is refused when group or others may read it', () => {
    const open = join(dir, 'open.json');
    writeFileSync(open, readFileSync(keyFile));
    chmodSync(open, 0o644);
    expect(() => loadLocalKeyFile(open)).toThrow(/chmod 600/);
  });

  it('is refused when it holds keys of the wrong size, without quoting them', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ wrappingKey: 'c2hvcnQ=', indexKey: 'c2hvcnQ=' }), { mode: 0o600 });
    expect(() => loadLocalKeyFile(bad)).toThrow('The local data key file is not valid');
  });

  it('is refused when a key is not strict base64 (Node would skip the stray characters)', () => {
    const { wrappingKey, indexKey } = JSON.parse(readFileSync(keyFile, 'utf8')) as { wrappingKey: string; indexKey: string };
    const stray = join(dir, 'stray.json');
    writeFileSync(stray, JSON.stringify({ wrappingKey, indexKey: `${indexKey.slice(0, 10)}*${indexKey.slice(10)}` }), { mode: 0o600 });
    expect(() => loadLocalKeyFile(stray)).toThrow('The local data key file is not valid');
  });
});

describe('envelope encryption', () => {
  const context = { purpose: 'fhir-resource', resourceType: 'Patient', id: 'p1' };

  it('round-trips a value and leaves no plaintext in the ciphertext', async () => {
    const sealed = await sealJson({ family: 'Ngata', birthDate: '1984-03-17' }, context);
    expect(Buffer.from(sealed).toString('latin1')).not.toMatch(/Ngata|1984-03-17/);
    expect(await openJson(sealed, context)).toEqual({ family: 'Ngata', birthDate: '1984-03-17' });
  });

  it('refuses to open with another record\'s context, or a context with an extra entry', async () => {
    const sealed = await sealJson({ family: 'Ngata' }, context);
    await expect(openJson(sealed, { ...context, id: 'p2' })).rejects.toThrow('Encryption context mismatch');
    await expect(openJson(sealed, { purpose: 'fhir-resource', resourceType: 'Patient' })).rejects.toThrow('Encryption context mismatch');
  });

  it('refuses a ciphertext with one byte changed', async () => {
    const sealed = Buffer.from(await sealJson({ family: 'Ngata' }, context));
    const index = sealed.length - 40;
    sealed[index] = (sealed[index] ?? 0) ^ 1;
    await expect(openJson(sealed, context)).rejects.toThrow();
  });
});

describe('blind index', () => {
  it('is deterministic per kind, different across kinds, and not an unkeyed hash', async () => {
    const { createHash } = await import('node:crypto');
    expect(await blindIndex('nhi', 'ZAC5361')).toBe(await blindIndex('nhi', 'ZAC5361'));
    expect(await blindIndex('nhi', 'ZAC5361')).not.toBe(await blindIndex('code', 'ZAC5361'));
    expect(await blindIndex('nhi', 'ZAC5361')).not.toBe(createHash('sha256').update('ZAC5361').digest('base64url'));
  });
});

describe('paging cursor', () => {
  const position = { pk: 'Observation/abc', searchPk: 'Observation|subject|patient-1' };
  const invalid = expect.objectContaining({ code: 'INVALID_CURSOR' });

  it('opens only with the binding it was sealed for, and hides the position', async () => {
    const cursor = await sealCursor(position, 'binding-a');
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toContain('patient-1');
    expect(await openCursor(cursor, 'binding-a')).toEqual(position);
    await expect(openCursor(cursor, 'binding-b')).rejects.toThrow(ApiError);
  });

  it('expires, and refuses any altered byte', async () => {
    const now = Date.now();
    const cursor = await sealCursor(position, 'b', now);
    await expect(openCursor(cursor, 'b', now + 16 * 60 * 1000)).rejects.toThrow(invalid);
    const bytes = Buffer.from(cursor, 'base64url');
    for (const index of [0, 12, 28, bytes.length - 1]) {
      const altered = Buffer.from(bytes);
      altered[index] = (altered[index] ?? 0) ^ 1;
      await expect(openCursor(altered.toString('base64url'), 'b', now)).rejects.toThrow(invalid);
    }
  });

  it('refuses a cursor cut short before any GCM check, so a tag shorter than 16 bytes is never verified', async () => {
    const bytes = Buffer.from(await sealCursor(position, 'b'), 'base64url');
    for (const length of [0, 12, 16, 20, 27, 28]) {
      await expect(openCursor(bytes.subarray(0, length).toString('base64url'), 'b'), String(length)).rejects.toMatchObject({
        code: 'INVALID_CURSOR', cause: expect.objectContaining({ message: 'cursor too short to hold a full tag' }),
      });
    }
  });
});
