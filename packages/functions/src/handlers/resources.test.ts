import { NHI_SYSTEM } from '@health-api/core';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createHmac, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../routes.js';
import type { Answer, ApiHarness } from '../testing/api-harness.js';
import { outcomeCode, startApiHarness } from '../testing/api-harness.js';

let api: ApiHarness;
beforeAll(async () => { api = await startApiHarness(); });
afterAll(() => api.close());

const patientBody = (nhi: string, family = 'Te Whare') => ({
  resourceType: 'Patient',
  identifier: [{ use: 'official', system: NHI_SYSTEM, value: nhi }],
  name: [{ use: 'official', family, given: ['Aroha', 'Mere'] }],
  birthDate: '1984-03-17',
  gender: 'female',
  telecom: [{ system: 'phone', value: '+64 21 555 0199', use: 'mobile' }],
  address: [{ line: ['12 Karaka Street'], city: 'Rotorua', postalCode: '3010', country: 'NZ' }],
});

const heartRate = (patientId: string, effectiveDateTime: string, code = '8867-4') => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code, display: 'Heart rate' }] },
  subject: { reference: `Patient/${patientId}` },
  effectiveDateTime,
  valueQuantity: { value: 72, unit: 'beats/min', system: 'http://unitsofmeasure.org', code: '/min' },
});

interface Resource { id: string; resourceType: string; meta: { versionId: string; lastUpdated: string }; [key: string]: unknown }
interface Bundle { resourceType: string; type: string; link: Array<{ relation: string; url: string }>; entry: Array<{ resource: Resource }> }

async function createPatient(nhi: string, family?: string): Promise<Resource> {
  const answer = await api.call(routes.patientCreate, { body: patientBody(nhi, family) });
  expect(answer.status).toBe(201);
  return answer.json<Resource>();
}

async function createObservation(patientId: string, effective: string, code?: string): Promise<Resource> {
  const answer = await api.call(routes.observationCreate, { body: heartRate(patientId, effective, code) });
  expect(answer.status).toBe(201);
  return answer.json<Resource>();
}

const ids = (answer: Answer) => answer.json<Bundle>().entry.map((e) => e.resource.id);
const nextUrl = (answer: Answer) => answer.json<Bundle>().link.find((l) => l.relation === 'next')?.url;
const queryOf = (url: string) => Object.fromEntries(new URL(url, 'https://api.test').searchParams);
/** Every byte of every item, as text: clear attributes and the raw bytes of binary ones. */
const rawText = (items: Array<Record<string, unknown>>) => JSON.stringify(items, (_key, value: unknown) =>
  (value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value));
/** What a caller can tell apart in an answer: status, body and header names and values, less the per-request id. */
const observable = (answer: Answer) => ({ status: answer.status, body: answer.body, headers: { ...answer.headers, 'Interaction-Id': undefined } });

describe('metadata', () => {
  it('lists every health route with its scope, from the manifest', async () => {
    const answer = await api.call(routes.metadata, { token: null });
    expect(answer.status).toBe(200);
    const text = answer.body;
    for (const route of [routes.patientCreate, routes.patientRead, routes.patientUpdate, routes.patientDelete, routes.patientSearch, routes.observationCreate, routes.observationRead, routes.observationSearch]) {
      expect(text).toContain(`${route.method} ${route.path} requires scope */${route.scope.resourceType}.${route.scope.permission}`);
    }
  });
});

describe('Patient create and read', () => {
  it('creates with server-assigned id and meta, stores the NHI upper case, and reads it back with its ETag', async () => {
    const created = await api.call(routes.patientCreate, { body: patientBody('zac5361') });
    expect(created.status).toBe(201);
    const patient = created.json<Resource>();
    expect(patient.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(patient.meta.versionId).toBe('1');
    expect(created.headers).toMatchObject({ ETag: 'W/"1"', Location: `https://api.example.test/test/v1/Patient/${patient.id}/_history/1` });
    expect(patient.identifier).toEqual([{ use: 'official', system: NHI_SYSTEM, value: 'ZAC5361' }]);

    const read = await api.call(routes.patientRead, { params: { id: patient.id } });
    expect(read.status).toBe(200);
    expect(read.headers.ETag).toBe('W/"1"');
    expect(read.json()).toEqual(patient);
  });

  it('answers 404 for an id that does not exist', async () => {
    const answer = await api.call(routes.patientRead, { params: { id: 'no-such-patient' } });
    expect(answer.status).toBe(404);
    expect(outcomeCode(answer)).toBe('NOT_FOUND');
  });
});

describe('encryption at rest', () => {
  it('stores no name, birth date, NHI, telecom or address in clear', async () => {
    const patient = await createPatient('JBX3656', 'Ngāti-Testfamily');
    await createObservation(patient.id, '2024-05-01T10:00:00+12:00');
    const text = rawText(await api.resourceItems());
    for (const secret of ['Ngāti-Testfamily', Buffer.from('Ngāti-Testfamily').toString('latin1'), 'Aroha', '1984-03-17', '19840317', 'JBX3656', 'jbx3656', '555 0199', 'Karaka', 'Rotorua', 'beats/min', '8867-4']) {
      expect(text).not.toContain(secret);
    }
  });

  it('binds each ciphertext to its record: sealed content moved onto another record does not open', async () => {
    const victim = await createPatient('ZBN77VL', 'Victimfamily');
    const other = await createPatient('ZZZ00AC', 'Otherfamily');
    const items = await api.resourceItems();
    const victimItem = items.find((i) => i.id === victim.id) as Record<string, unknown>;
    const otherItem = items.find((i) => i.id === other.id) as Record<string, unknown>;
    await api.dynamo.documents.send(new PutCommand({ TableName: 'Resources', Item: { ...otherItem, sealed: victimItem.sealed } }));
    const answer = await api.call(routes.patientRead, { params: { id: other.id } });
    expect(answer.status).toBe(500);
    expect(answer.body).not.toContain('Victimfamily');
  });
});

describe('NHI blind index', () => {
  it('finds a patient by NHI, in any case, through a keyed HMAC token', async () => {
    const patient = await createPatient('ZSC21TN');
    const search = await api.call(routes.patientSearch, { query: { identifier: `${NHI_SYSTEM}|zsc21tn` } });
    expect(search.status).toBe(200);
    expect(search.json<Bundle>()).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expect(ids(search)).toEqual([patient.id]);

    const item = (await api.resourceItems()).find((i) => i.id === patient.id) as { searchPk: string };
    const { indexKey } = JSON.parse(readFileSync(api.keyFile, 'utf8')) as { indexKey: string };
    const key = Buffer.from(hkdfSync('sha256', Buffer.from(indexKey, 'base64'), Buffer.alloc(0), 'health-api/blind-index:nhi', 32));
    expect(item.searchPk).toBe(`Patient|nhi|${createHmac('sha256', key).update('ZSC21TN').digest('base64url')}`);
    expect(item.searchPk).not.toContain('ZSC21TN');
  });

  it('finds nobody for an invalid NHI (no patient can have one), and refuses one in create with its own error code', async () => {
    for (const nhi of ['ZZZ0044', 'ZZZ00AA', 'ZIO1234', 'ZAC536']) {
      const search = await api.call(routes.patientSearch, { query: { identifier: `${NHI_SYSTEM}|${nhi}` } });
      expect([search.status, search.json<Bundle>().entry]).toEqual([200, []]);
    }
    const before = await api.resourceItems();
    const create = await api.call(routes.patientCreate, { body: patientBody('ZZZ0044') });
    expect([create.status, outcomeCode(create)]).toEqual([400, 'INVALID_NHI']);
    expect(await api.resourceItems()).toEqual(before);
  });
});

describe('optimistic concurrency', () => {
  it('refuses an update without If-Match (428) or with a stale one (412), writing nothing', async () => {
    const patient = await createPatient('ZAC5361', 'Before');
    const before = await api.resourceItems();
    const body = { ...patientBody('ZAC5361', 'After'), id: patient.id };
    const missing = await api.call(routes.patientUpdate, { params: { id: patient.id }, body });
    expect([missing.status, outcomeCode(missing)]).toEqual([428, 'PRECONDITION_REQUIRED']);
    const stale = await api.call(routes.patientUpdate, { params: { id: patient.id }, headers: { 'if-match': 'W/"7"' }, body });
    expect([stale.status, outcomeCode(stale)]).toEqual([412, 'PRECONDITION_FAILED']);
    expect(await api.resourceItems()).toEqual(before);

    const updated = await api.call(routes.patientUpdate, { params: { id: patient.id }, headers: { 'if-match': 'W/"1"' }, body });
    expect(updated.status).toBe(200);
    expect(updated.headers.ETag).toBe('W/"2"');
    expect(updated.json<Resource>()).toMatchObject({ id: patient.id, meta: { versionId: '2' }, name: [{ family: 'After' }] });
    const replay = await api.call(routes.patientUpdate, { params: { id: patient.id }, headers: { 'if-match': 'W/"1"' }, body });
    expect(replay.status).toBe(412);
  });

  it('lets exactly one of three concurrent updates from the same version win', async () => {
    const patient = await createPatient('ZAC5361');
    const answers = await Promise.all(['First', 'Second', 'Third'].map((family) => api.call(routes.patientUpdate, {
      params: { id: patient.id }, headers: { 'if-match': 'W/"1"' }, body: { ...patientBody('ZAC5361', family), id: patient.id },
    })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 412, 412]);
    const read = await api.call(routes.patientRead, { params: { id: patient.id } });
    const winner = answers.find((a) => a.status === 200) as Answer;
    expect(read.json()).toEqual(winner.json());
    expect(read.headers.ETag).toBe('W/"2"');
  });

  it('refuses a body whose id differs from the URL', async () => {
    const patient = await createPatient('ZAC5361');
    const answer = await api.call(routes.patientUpdate, { params: { id: patient.id }, headers: { 'if-match': 'W/"1"' }, body: { ...patientBody('ZAC5361'), id: 'another-id' } });
    expect([answer.status, outcomeCode(answer)]).toEqual([400, 'ID_MISMATCH']);
  });
});

describe('soft delete', () => {
  it('marks the record deleted, keeps it sealed, drops it from search, and answers 410 afterwards', async () => {
    const patient = await createPatient('ZBN77VL', 'Deletedfamily');
    const deleted = await api.call(routes.patientDelete, { params: { id: patient.id } });
    expect(deleted.status).toBe(204);
    const item = (await api.resourceItems()).find((i) => i.id === patient.id && i.sk === 'resource');
    expect(item).toMatchObject({ deleted: true, version: 2 });
    expect(item?.sealed).toBeInstanceOf(Uint8Array);
    expect(item).not.toHaveProperty('searchPk');

    const read = await api.call(routes.patientRead, { params: { id: patient.id } });
    expect([read.status, outcomeCode(read)]).toEqual([410, 'GONE']);
    const search = await api.call(routes.patientSearch, { query: { identifier: `${NHI_SYSTEM}|ZBN77VL` } });
    expect(ids(search)).not.toContain(patient.id);
    expect((await api.call(routes.patientDelete, { params: { id: patient.id } })).status).toBe(204);
    const update = await api.call(routes.patientUpdate, { params: { id: patient.id }, headers: { 'if-match': 'W/"2"' }, body: { ...patientBody('ZBN77VL'), id: patient.id } });
    expect(update.status).toBe(410);
    const observation = await api.call(routes.observationCreate, { body: heartRate(patient.id, '2024-01-01') });
    expect([observation.status, outcomeCode(observation)]).toEqual([422, 'REFERENCE_NOT_FOUND']);
  });
});

describe('Observation', () => {
  it('creates, reads and searches by patient, code and date, in time order', async () => {
    const patient = await createPatient('ZAC5361');
    const march = await createObservation(patient.id, '2024-03-01T09:00:00Z');
    const january = await createObservation(patient.id, '2024-01-15T09:00:00+13:00');
    const weight = await createObservation(patient.id, '2024-02-01', '29463-7');
    const read = await api.call(routes.observationRead, { params: { id: march.id } });
    expect(read.status).toBe(200);
    expect(read.json()).toEqual(march);

    const all = await api.call(routes.observationSearch, { query: { patient: `Patient/${patient.id}` } });
    expect(ids(all)).toEqual([january.id, weight.id, march.id]);
    const byCode = await api.call(routes.observationSearch, { query: { patient: patient.id, code: 'http://loinc.org|8867-4' } });
    expect(ids(byCode)).toEqual([january.id, march.id]);
    const since = await api.call(routes.observationSearch, { query: { patient: patient.id, date: 'ge2024-02-01' } });
    expect(ids(since)).toEqual([weight.id, march.id]);
    const before = await api.call(routes.observationSearch, { query: { patient: patient.id, date: 'lt2024-02-01' } });
    expect(ids(before)).toEqual([january.id]);
    const onDay = await api.call(routes.observationSearch, { query: { patient: patient.id, date: '2024-02-01' } });
    expect(ids(onDay)).toEqual([weight.id]);
  });

  it('refuses a subject that does not exist and a second value[x]', async () => {
    const before = await api.resourceItems();
    const missing = await api.call(routes.observationCreate, { body: heartRate('no-such-patient', '2024-01-01') });
    expect([missing.status, outcomeCode(missing)]).toEqual([422, 'REFERENCE_NOT_FOUND']);
    const patient = (await api.resourceItems()).find((i) => i.resourceType === 'Patient' && !i.deleted) as { id: string };
    const twoValues = await api.call(routes.observationCreate, { body: { ...heartRate(patient.id, '2024-01-01'), valueString: 'normal' } });
    expect([twoValues.status, outcomeCode(twoValues)]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await api.resourceItems()).toEqual(before);
  });
});

describe('search paging', () => {
  it('pages with opaque cursors that visit every match once', async () => {
    const patient = await createPatient('ZAC5361');
    const created = [];
    for (let day = 1; day <= 5; day += 1) created.push((await createObservation(patient.id, `2024-06-0${day}`)).id);
    const seen: string[] = [];
    let query: Record<string, string> | undefined = { patient: patient.id, _count: '2' };
    while (query) {
      const page = await api.call(routes.observationSearch, { query });
      expect(page.status).toBe(200);
      expect(ids(page).length).toBeLessThanOrEqual(2);
      seen.push(...ids(page));
      const next = nextUrl(page);
      query = next ? queryOf(next) : undefined;
      if (query) expect(query._cursor).not.toContain(patient.id);
    }
    expect(seen).toEqual(created);
  });

  it('caps _count at 100', async () => {
    const patient = await createPatient('ZAC5361');
    for (let batch = 0; batch < 101; batch += 10) {
      await Promise.all(Array.from({ length: Math.min(10, 101 - batch) }, (_, i) => createObservation(patient.id, `2023-01-01T00:${String(batch / 10).padStart(2, '0')}:${String(i).padStart(2, '0')}Z`)));
    }
    const page = await api.call(routes.observationSearch, { query: { patient: patient.id, _count: '1000' } });
    expect(ids(page)).toHaveLength(100);
    expect(nextUrl(page)).toBeDefined();
  });

  it('refuses a cursor that was altered, or used with another query or by another caller', async () => {
    const patient = await createPatient('ZAC5361');
    await createObservation(patient.id, '2024-07-01');
    await createObservation(patient.id, '2024-07-02');
    const first = await api.call(routes.observationSearch, { query: { patient: patient.id, _count: '1' } });
    const cursor = queryOf(nextUrl(first) as string)._cursor as string;
    const flipped = `${cursor.slice(0, 20)}${cursor[20] === 'A' ? 'B' : 'A'}${cursor.slice(21)}`;
    const otherCaller = await api.token('system/Observation.s', { client_id: 'other-client', sub: 'other-client' });
    const attempts = [
      api.call(routes.observationSearch, { query: { patient: patient.id, _count: '1', _cursor: flipped } }),
      api.call(routes.observationSearch, { query: { patient: patient.id, _count: '2', _cursor: cursor } }),
      api.call(routes.observationSearch, { query: { patient: patient.id, _count: '1', _cursor: cursor }, token: otherCaller }),
    ];
    for (const answer of await Promise.all(attempts)) expect([answer.status, outcomeCode(answer)]).toEqual([400, 'INVALID_CURSOR']);
    const good = await api.call(routes.observationSearch, { query: { patient: patient.id, _count: '1', _cursor: cursor } });
    expect(good.status).toBe(200);
  });
});

describe('patient compartment', () => {
  let mine: Resource;
  let theirs: Resource;
  let theirObservation: Resource;
  let patientToken: string;
  beforeAll(async () => {
    mine = await createPatient('JBX3656', 'Minefamily');
    theirs = await createPatient('ZZZ00AC', 'Theirfamily');
    // Other patients sharing this NHI: a page cut before the compartment filter would often hold none of mine.
    for (let i = 0; i < 5; i += 1) await createPatient('JBX3656', `Namesake${i}`);
    await createObservation(mine.id, '2024-08-01');
    theirObservation = await createObservation(theirs.id, '2024-08-01');
    patientToken = await api.token('patient/Patient.cruds patient/Observation.cruds', { patient: mine.id });
  });

  it('reads its own patient and observations', async () => {
    expect((await api.call(routes.patientRead, { params: { id: mine.id }, token: patientToken })).status).toBe(200);
    const search = await api.call(routes.observationSearch, { query: { patient: mine.id }, token: patientToken });
    expect(ids(search)).toHaveLength(1);
  });

  it('gets exactly the missing-record answer for records of another patient', async () => {
    const pairs: Array<[Answer, Answer]> = [
      [await api.call(routes.patientRead, { params: { id: theirs.id }, token: patientToken }), await api.call(routes.patientRead, { params: { id: 'missing-id' }, token: patientToken })],
      [await api.call(routes.observationRead, { params: { id: theirObservation.id }, token: patientToken }), await api.call(routes.observationRead, { params: { id: 'missing-id' }, token: patientToken })],
      [await api.call(routes.patientDelete, { params: { id: theirs.id }, token: patientToken }), await api.call(routes.patientDelete, { params: { id: 'missing-id' }, token: patientToken })],
    ];
    for (const [outside, missing] of pairs) {
      expect(outside.status).toBe(404);
      expect(observable(outside)).toEqual(observable(missing));
    }
    const update = await api.call(routes.patientUpdate, { params: { id: theirs.id }, headers: { 'if-match': 'W/"1"' }, body: { ...patientBody('ZZZ00AC'), id: theirs.id }, token: patientToken });
    const updateMissing = await api.call(routes.patientUpdate, { params: { id: 'missing-id' }, headers: { 'if-match': 'W/"1"' }, body: { ...patientBody('ZZZ00AC'), id: 'missing-id' }, token: patientToken });
    expect(observable(update)).toEqual(observable(updateMissing));
    const create = await api.call(routes.observationCreate, { body: heartRate(theirs.id, '2024-01-01'), token: patientToken });
    const createMissing = await api.call(routes.observationCreate, { body: heartRate('missing-id', '2024-01-01'), token: patientToken });
    expect(create.status).toBe(422);
    expect(observable(create)).toEqual(observable(createMissing));
    expect((await api.call(routes.patientRead, { params: { id: theirs.id } })).json<Resource>().meta.versionId).toBe('1');
  });

  it('filters searches to the compartment before paging', async () => {
    const theirNhi = await api.call(routes.patientSearch, { query: { identifier: `${NHI_SYSTEM}|ZZZ00AC` }, token: patientToken });
    expect(theirNhi.status).toBe(200);
    expect(ids(theirNhi)).not.toContain(theirs.id);
    const myNhi = await api.call(routes.patientSearch, { query: { identifier: `${NHI_SYSTEM}|JBX3656`, _count: '1' }, token: patientToken });
    expect(ids(myNhi)).toEqual([mine.id]);
    const everyone = await api.call(routes.patientSearch, { query: { identifier: `${NHI_SYSTEM}|JBX3656` } });
    expect(ids(everyone).length).toBeGreaterThan(5);
    const theirObservations = await api.call(routes.observationSearch, { query: { patient: theirs.id }, token: patientToken });
    expect(ids(theirObservations)).toEqual([]);
  });

  it('cannot create patients, and user/ grants reach no record', async () => {
    const create = await api.call(routes.patientCreate, { body: patientBody('ZAC5361'), token: patientToken });
    expect([create.status, outcomeCode(create)]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    const userToken = await api.token('user/Patient.rs', { patient: mine.id });
    expect((await api.call(routes.patientRead, { params: { id: mine.id }, token: userToken })).status).toBe(404);
  });
});

describe('idempotent creates through the real handler', () => {
  it('answers concurrent duplicates with the first result or 409, and creates one patient', async () => {
    const key = crypto.randomUUID();
    const body = patientBody('ZAC5361', 'Idempotentfamily');
    const before = (await api.resourceItems()).length;
    const answers = await Promise.all(Array.from({ length: 6 }, () => api.call(routes.patientCreate, { body, headers: { 'idempotency-key': key } })));
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(answers.every((a) => a.status === 201 || (a.status === 409 && outcomeCode(a) === 'IDEMPOTENCY_IN_PROGRESS'))).toBe(true);
    expect(new Set(created.map((a) => a.json<Resource>().id)).size).toBe(1);
    expect((await api.resourceItems()).length).toBe(before + 1);

    const replay = await api.call(routes.patientCreate, { body, headers: { 'idempotency-key': key } });
    expect(replay.status).toBe(201);
    expect(replay.json()).toEqual(created[0]?.json());
    expect(replay.headers.ETag).toBe('W/"1"');
    expect(rawText(await api.idempotencyItems())).not.toContain('Idempotentfamily');

    const otherBody = await api.call(routes.patientCreate, { body: patientBody('ZAC5361', 'Changed'), headers: { 'idempotency-key': key } });
    expect([otherBody.status, outcomeCode(otherBody)]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect((await api.call(routes.patientCreate, { body, headers: { 'idempotency-key': key } })).json()).toEqual(created[0]?.json());
    expect((await api.resourceItems()).length).toBe(before + 1);
  });

  it('creates the same body again under a new key, and scopes keys to the caller', async () => {
    const body = patientBody('ZAC5361');
    const before = (await api.resourceItems()).length;
    await api.call(routes.patientCreate, { body, headers: { 'idempotency-key': crypto.randomUUID() } });
    await api.call(routes.patientCreate, { body, headers: { 'idempotency-key': crypto.randomUUID() } });
    const key = crypto.randomUUID();
    const mine = await api.call(routes.patientCreate, { body, headers: { 'idempotency-key': key } });
    const other = await api.call(routes.patientCreate, { body, headers: { 'idempotency-key': key }, token: await api.token('system/Patient.c', { client_id: 'other-client', sub: 'other-client' }) });
    expect(other.status).toBe(201);
    expect(other.json<Resource>().id).not.toBe(mine.json<Resource>().id);
    expect((await api.resourceItems()).length).toBe(before + 4);
  });
});
