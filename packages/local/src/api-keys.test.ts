import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadOrCreateApiKeys } from './api-keys.js';

const keyFile = () => join(mkdtempSync(join(tmpdir(), 'api-keys-')), 'gateway', 'api-keys.json');

it('generates one random alphanumeric key per plan on first start, owner-only, and reuses them', async () => {
  const file = keyFile();
  const first = await loadOrCreateApiKeys(file);
  const values = first.values();
  expect(Object.keys(values).sort()).toEqual(['partner', 'standard']);
  for (const value of Object.values(values)) expect(value).toMatch(/^[A-Za-z0-9]{20,128}$/);
  expect(values.standard).not.toBe(values.partner);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect((await loadOrCreateApiKeys(file)).values()).toEqual(values);
});

it('finds keys by value with their plan, and keeps a disabled key refusable', async () => {
  const file = keyFile();
  const store = await loadOrCreateApiKeys(file, [{ name: 'standard', plan: 'standard' }, { name: 'old', plan: 'partner', enabled: false }]);
  const { standard, old } = store.values();
  expect(store.find(standard as string)).toMatchObject({ name: 'standard', plan: 'standard', enabled: true });
  expect(store.find(old as string)).toMatchObject({ name: 'old', plan: 'partner', enabled: false });
  expect(store.find('unknown-key-value-0000')).toBeUndefined();
  // Enabling it again on a later start keeps its value.
  const again = await loadOrCreateApiKeys(file, [{ name: 'old', plan: 'partner' }]);
  expect(again.find(old as string)?.enabled).toBe(true);
  expect(readFileSync(file, 'utf8')).toContain(standard as string); // keys not asked for are kept, not deleted
});
