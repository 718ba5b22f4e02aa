/**
 * An ordinary FHIR client library (fhir-kit-client), used as its README shows, against the local
 * stack over HTTPS with a SMART Backend Services token: nothing in the client is patched or
 * configured beyond its base URL, a header for the API key and the bearer token. The machine
 * trusts the local CA (as NODE_EXTRA_CA_CERTS would), which is the environment, not the client.
 */
import { NHI_SYSTEM } from '@health-api/core';
import type { LocalStack } from '@health-api/local';
import { startLocalStack } from '@health-api/local';
import { Client } from 'fhir-kit-client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackClient } from '../local/stack-client.js';
import { backendServicesToken, stackClient } from '../local/stack-client.js';

interface Resource { resourceType: string; id: string; meta: { versionId: string }; [key: string]: unknown }
interface Bundle { resourceType: 'Bundle'; type: string; entry?: Array<{ fullUrl?: string; resource: Resource; search?: { mode: string } }>; link?: Array<{ relation: string; url: string }> }

let stack: LocalStack;
let https: StackClient;
let fhir: InstanceType<typeof Client>;
const previousDispatcher = getGlobalDispatcher();

beforeAll(async () => {
  stack = await startLocalStack({ gatewayPort: 0, issuerPort: 0, stateDir: mkdtempSync(join(tmpdir(), 'fhir-client-')) });
  setGlobalDispatcher(new Agent({ connect: { ca: stack.caPem } }));
  https = stackClient(stack);
  fhir = new Client({ baseUrl: stack.baseUrl, customHeaders: { 'x-api-key': stack.apiKeys.standard as string } });
  fhir.bearerToken = await backendServicesToken(https, stack);
});
afterAll(async () => {
  setGlobalDispatcher(previousDispatcher);
  await https?.close();
  await stack?.close();
});

const patient = (family: string) => ({
  resourceType: 'Patient',
  identifier: [{ system: NHI_SYSTEM, value: 'ZAC5361' }],
  name: [{ family, given: ['Aroha'] }],
  birthDate: '1984-03-17',
});
const responseOf = (resource: unknown) => Client.httpFor(resource as Resource).response as Response;
const headersOf = (resource: unknown) => responseOf(resource).headers;
const matches = (bundle: Bundle) => (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource);

describe('fhir-kit-client against the local stack', () => {
  let created: Resource;

  it('reads the CapabilityStatement', async () => {
    const statement = await fhir.capabilityStatement() as { resourceType: string; fhirVersion: string };
    expect([statement.resourceType, statement.fhirVersion]).toEqual(['CapabilityStatement', '4.0.1']);
  });

  it('creates a Patient with no extra header, answered with the absolute URL of its version', async () => {
    created = await fhir.create({ resourceType: 'Patient', body: patient('Parata') }) as Resource;
    expect(created).toMatchObject({ resourceType: 'Patient', meta: { versionId: '1' }, name: [{ family: 'Parata' }] });
    expect(headersOf(created).get('location')).toBe(`${stack.baseUrl}/Patient/${created.id}/_history/1`);
  });

  it('creates conditionally: an existing match is answered (200) and nothing new is made', async () => {
    const options = { headers: { 'If-None-Exist': `identifier=${NHI_SYSTEM}|ZAC5361` } };
    const again = await fhir.create({ resourceType: 'Patient', body: patient('Another'), options }) as Resource;
    expect(responseOf(again).status).toBe(200);
    expect(again).toMatchObject({ id: created.id, name: [{ family: 'Parata' }] });
  });

  it('reads it, updates it with If-Match, and reads both versions with vread', async () => {
    const read = await fhir.read({ resourceType: 'Patient', id: created.id }) as Resource;
    const etag = headersOf(read).get('etag') as string;
    expect(etag).toBe('W/"1"');
    const updated = await fhir.update({
      resourceType: 'Patient', id: created.id, body: { ...patient('Parata-Ngata'), id: created.id }, options: { headers: { 'If-Match': etag } },
    }) as Resource;
    expect(updated.meta.versionId).toBe('2');
    const first = await fhir.vread({ resourceType: 'Patient', id: created.id, version: '1' }) as Resource;
    const second = await fhir.vread({ resourceType: 'Patient', id: created.id, version: '2' }) as Resource;
    expect([first.name, second.name]).toEqual([[{ family: 'Parata', given: ['Aroha'] }], [{ family: 'Parata-Ngata', given: ['Aroha'] }]]);
  });

  it('searches by identifier in the forms FHIR allows, with absolute fullUrls', async () => {
    for (const identifier of ['ZAC5361', `${NHI_SYSTEM}|ZAC5361`, 'zac5361,ZZZ0008']) {
      const bundle = await fhir.search({ resourceType: 'Patient', searchParams: { identifier } }) as unknown as Bundle;
      expect(bundle.type).toBe('searchset');
      expect(matches(bundle).map((r) => r.id)).toEqual([created.id]);
      expect(bundle.entry?.[0]?.fullUrl).toBe(`${stack.baseUrl}/Patient/${created.id}`);
    }
    const none = await fhir.search({ resourceType: 'Patient', searchParams: { identifier: '1234567890' } }) as unknown as Bundle;
    expect(matches(none)).toEqual([]);
  });

  it('creates Observations and pages through them with the client\'s nextPage', async () => {
    for (const day of ['01', '02', '03']) {
      await fhir.create({ resourceType: 'Observation', body: {
        resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
        subject: { reference: `Patient/${created.id}` }, effectiveDateTime: `2024-05-${day}T10:00:00Z`, valueQuantity: { value: 70, unit: 'beats/min' },
      } });
    }
    const seen: string[] = [];
    type Page = Parameters<typeof fhir.nextPage>[0]['bundle'];
    let page = await fhir.search({ resourceType: 'Observation', searchParams: { patient: created.id, code: '8867-4', _count: 2 } }) as Page | undefined;
    while (page) {
      seen.push(...matches(page as unknown as Bundle).map((r) => String(r.effectiveDateTime)));
      page = await fhir.nextPage({ bundle: page }) as Page | undefined;
    }
    expect(seen).toEqual(['2024-05-01T10:00:00Z', '2024-05-02T10:00:00Z', '2024-05-03T10:00:00Z']);
  });

  it('deletes the Patient; a read then fails with 410 Gone, as FHIR says', async () => {
    await fhir.delete({ resourceType: 'Patient', id: created.id });
    const failure = await fhir.read({ resourceType: 'Patient', id: created.id }).then(() => undefined, (error: { response?: { status: number } }) => error);
    expect(failure?.response?.status).toBe(410);
  });
});
