/**
 * What an ordinary FHIR R4 client does, through the real handlers: creates without our own
 * headers, conditional create, vread, FHIR search syntax and handling, content negotiation and
 * absolute URLs. Each refusal leaves the tables as they were.
 */
import { NHI_SYSTEM } from '@health-api/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../routes.js';
import type { Answer, ApiHarness } from '../testing/api-harness.js';
import { outcomeCode, startApiHarness } from '../testing/api-harness.js';

let api: ApiHarness;
beforeAll(async () => { api = await startApiHarness(); });
afterAll(() => api.close());

const BASE = 'https://api.example.test/test';
const noKey = { 'idempotency-key': undefined };

interface Resource { id: string; resourceType: string; meta: { versionId: string }; [key: string]: unknown }
interface Entry { fullUrl?: string; resource: Resource & { issue?: Array<{ severity: string; details: { coding: Array<{ code: string }> }; expression?: string[] }> }; search: { mode: string } }
interface Bundle { resourceType: string; type: string; link: Array<{ relation: string; url: string }>; entry: Entry[] }

const patientBody = (nhi: string, family = 'Parata', extra: Record<string, unknown> = {}) => ({
  resourceType: 'Patient',
  identifier: [{ system: NHI_SYSTEM, value: nhi }, { system: 'https://hospital.example.nz/mrn', value: `MRN-${nhi}` }],
  name: [{ family, given: ['Aroha'] }],
  ...extra,
});
const observationBody = (patientId: string, effectiveDateTime: string, codes: Array<{ system?: string; code: string }>) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: codes },
  subject: { reference: `Patient/${patientId}` },
  effectiveDateTime,
  valueQuantity: { value: 72, unit: 'beats/min' },
});

async function created(answer: Answer): Promise<Resource> {
  expect(answer.status).toBe(201);
  return answer.json<Resource>();
}
const matches = (answer: Answer) => answer.json<Bundle>().entry.filter((e) => e.search.mode === 'match').map((e) => e.resource.id).sort();
const outcomes = (answer: Answer) => answer.json<Bundle>().entry.filter((e) => e.search.mode === 'outcome').map((e) => e.resource);
/** Every table's items, to show a refusal wrote nothing. */
const everything = async () => ({ resources: await api.resourceItems(), idempotency: await api.idempotencyItems(), audit: (await api.auditItems()).length });

describe('create without Idempotency-Key', () => {
  it('answers 201 with the absolute URL of the new version, and audits the intent and the outcome', async () => {
    const auditBefore = (await api.auditItems()).length;
    const idempotencyBefore = await api.idempotencyItems();
    const answer = await api.call(routes.patientCreate, { body: patientBody('ZAC5361'), headers: noKey });
    const patient = await created(answer);
    expect(answer.headers.Location).toBe(`${BASE}/v1/Patient/${patient.id}/_history/1`);
    expect(answer.headers.ETag).toBe('W/"1"');
    expect((await api.auditItems()).length - auditBefore).toBe(2); // the intent record and the outcome record
    expect(await api.idempotencyItems()).toEqual(idempotencyBefore);
  });

  it('still honours an Idempotency-Key when one is sent: the retry replays the first answer', async () => {
    const headers = { 'idempotency-key': 'retry-key-0001' };
    const first = await api.call(routes.patientCreate, { body: patientBody('JBX3656'), headers });
    const retry = await api.call(routes.patientCreate, { body: patientBody('JBX3656'), headers });
    expect([retry.status, retry.body, retry.headers.Location]).toEqual([201, first.body, first.headers.Location]);
  });
});

describe('conditional create (If-None-Exist)', () => {
  const criteria = (nhi: string) => ({ 'if-none-exist': `identifier=${encodeURIComponent(`${NHI_SYSTEM}|${nhi}`)}` });

  it('creates when nothing matches, then answers 200 with the match and writes nothing', async () => {
    const first = await created(await api.call(routes.patientCreate, { body: patientBody('ZSC21TN'), headers: { ...noKey, ...criteria('ZSC21TN') } }));
    const before = await everything();
    const again = await api.call(routes.patientCreate, { body: patientBody('ZSC21TN', 'Another'), headers: { ...noKey, ...criteria('zsc21tn') } });
    expect(again.status).toBe(200);
    expect(again.json<Resource>()).toMatchObject({ id: first.id, name: [{ family: 'Parata' }] });
    expect(again.headers.Location).toBe(`${BASE}/v1/Patient/${first.id}/_history/1`);
    const after = await everything();
    expect(after.resources).toEqual(before.resources);
    expect(after.audit - before.audit).toBe(1); // the match is audited; nothing is created
  });

  it('answers 412 MULTIPLE_MATCHES when several resources match, writing nothing', async () => {
    await created(await api.call(routes.patientCreate, { body: patientBody('ZBN77VL'), headers: noKey }));
    await created(await api.call(routes.patientCreate, { body: patientBody('ZBN77VL', 'Twin'), headers: noKey }));
    const before = await everything();
    const answer = await api.call(routes.patientCreate, { body: patientBody('ZBN77VL'), headers: { ...noKey, 'if-none-exist': 'identifier=ZBN77VL' } });
    expect([answer.status, outcomeCode(answer)]).toEqual([412, 'MULTIPLE_MATCHES']);
    expect((await everything()).resources).toEqual(before.resources);
  });

  it('needs search scope for the criteria, since a match discloses a resource', async () => {
    const token = await api.token('system/Patient.c');
    const before = await everything();
    const answer = await api.call(routes.patientCreate, { token, body: patientBody('ZGT1004'), headers: { ...noKey, ...criteria('ZGT1004') } });
    expect([answer.status, outcomeCode(answer)]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    expect((await everything()).resources).toEqual(before.resources);
    expect((await api.call(routes.patientCreate, { token, body: patientBody('ZGT1004'), headers: noKey })).status).toBe(201);
  });

  it('matches Observations by their own search parameters', async () => {
    const patient = await created(await api.call(routes.patientCreate, { body: patientBody('ZHW1005'), headers: noKey }));
    const body = observationBody(patient.id, '2024-05-01T10:00:00Z', [{ system: 'http://loinc.org', code: '8867-4' }]);
    const headers = { ...noKey, 'if-none-exist': `patient=${patient.id}&code=http://loinc.org|8867-4&date=2024-05-01` };
    const first = await created(await api.call(routes.observationCreate, { body, headers }));
    const again = await api.call(routes.observationCreate, { body, headers });
    expect([again.status, again.json<Resource>().id]).toEqual([200, first.id]);
  });
});

describe('vread', () => {
  it('reads each version by the URL the Location and ETag name, and 410 for the deleted one', async () => {
    const answer = await api.call(routes.patientCreate, { body: patientBody('ZKC1006', 'First'), headers: noKey });
    const patient = await created(answer);
    const vid = (location: string) => location.split('/_history/')[1] as string;
    const updated = await api.call(routes.patientUpdate, {
      params: { id: patient.id }, headers: { 'if-match': 'W/"1"' }, body: { ...patientBody('ZKC1006', 'Second'), id: patient.id },
    });
    expect(updated.status).toBe(200);
    const v1 = await api.call(routes.patientVread, { params: { id: patient.id, vid: vid(answer.headers.Location as string) } });
    expect([v1.status, v1.headers.ETag]).toEqual([200, 'W/"1"']);
    expect(v1.json<Resource>()).toMatchObject({ id: patient.id, meta: { versionId: '1' }, name: [{ family: 'First' }] });
    const v2 = await api.call(routes.patientVread, { params: { id: patient.id, vid: '2' } });
    expect(v2.json<Resource>()).toMatchObject({ meta: { versionId: '2' }, name: [{ family: 'Second' }] });

    expect((await api.call(routes.patientDelete, { params: { id: patient.id } })).status).toBe(204);
    const gone = await api.call(routes.patientVread, { params: { id: patient.id, vid: '3' } });
    expect([gone.status, outcomeCode(gone)]).toEqual([410, 'GONE']);
    expect((await api.call(routes.patientVread, { params: { id: patient.id, vid: '2' } })).json<Resource>()).toMatchObject({ name: [{ family: 'Second' }] });
    for (const missing of ['4', 'abc', '0']) {
      const answerMissing = await api.call(routes.patientVread, { params: { id: patient.id, vid: missing } });
      expect([answerMissing.status, outcomeCode(answerMissing)]).toEqual([404, 'NOT_FOUND']);
    }
  });

  it('keeps superseded versions sealed and out of the search index', async () => {
    const patient = await created(await api.call(routes.patientCreate, { body: patientBody('ZLD1006', 'Sealedfamily'), headers: noKey }));
    await api.call(routes.patientUpdate, { params: { id: patient.id }, headers: { 'if-match': 'W/"1"' }, body: { ...patientBody('ZLD1006', 'Newfamily'), id: patient.id } });
    const copies = (await api.resourceItems()).filter((item) => item.id === patient.id && item.sk !== 'resource');
    expect(copies).toHaveLength(1);
    expect(copies[0]).not.toHaveProperty('searchPk');
    expect(JSON.stringify(await api.resourceItems())).not.toContain('Sealedfamily');
    const search = await api.call(routes.patientSearch, { query: { identifier: 'ZLD1006' } });
    expect(matches(search)).toEqual([patient.id]);
  });

  it('answers another compartment\'s versions exactly as missing ones to a patient-bound token', async () => {
    const own = await created(await api.call(routes.patientCreate, { body: patientBody('ZMW1003'), headers: noKey }));
    const other = await created(await api.call(routes.patientCreate, { body: patientBody('ZNB1004'), headers: noKey }));
    const token = await api.token('patient/Patient.r', { patient: own.id });
    expect((await api.call(routes.patientVread, { token, params: { id: own.id, vid: '1' } })).status).toBe(200);
    const crossing = await api.call(routes.patientVread, { token, params: { id: other.id, vid: '1' } });
    const missing = await api.call(routes.patientVread, { token, params: { id: 'no-such-id', vid: '1' } });
    expect([crossing.status, crossing.body]).toEqual([missing.status, missing.body]);
    expect(crossing.status).toBe(404);
  });
});

describe('search per FHIR R4', () => {
  let patient: Resource;
  beforeAll(async () => {
    patient = await created(await api.call(routes.patientCreate, { body: patientBody('ZPN1009', 'Searched'), headers: noKey }));
  });

  it.each([
    ['value (any system)', 'ZPN1009'],
    ['value in lower case', 'zpn1009'],
    ['system|value', `${NHI_SYSTEM}|ZPN1009`],
    ['an OR list', 'ZZZ0008,ZPN1009'],
  ])('finds a patient by identifier as %s', async (_name, identifier) => {
    const answer = await api.call(routes.patientSearch, { query: { identifier } });
    expect(answer.status).toBe(200);
    expect(matches(answer)).toEqual([patient.id]);
  });

  it.each([
    ['|value (no system)', '|ZPN1009', false],
    ['a value that is no NHI', '1234567890', true],
    ['another system', 'https://hospital.example.nz/mrn|MRN-ZPN1009', true],
  ])('answers %s with an empty Bundle, saying when an unindexed system could be meant', async (_name, identifier, noted) => {
    const answer = await api.call(routes.patientSearch, { query: { identifier } });
    expect([answer.status, answer.json<Bundle>().type, matches(answer)]).toEqual([200, 'searchset', []]);
    expect(outcomes(answer).flatMap((o) => o.issue?.map((i) => i.details.coding[0]?.code) ?? [])).toEqual(noted ? ['IDENTIFIER_NOT_INDEXED'] : []);
  });

  it('ignores unknown parameters by default and names them in an outcome entry; refuses them under handling=strict, writing nothing', async () => {
    const lenient = await api.call(routes.patientSearch, { query: { identifier: 'ZPN1009', _summary: 'true', 'name:exact': 'Searched' } });
    expect(matches(lenient)).toEqual([patient.id]);
    expect(outcomes(lenient)[0]?.issue?.[0]).toMatchObject({ severity: 'warning', details: { coding: [{ code: 'PARAMETER_IGNORED' }] }, expression: ['_summary', 'name:exact'] });
    expect(lenient.json<Bundle>().link[0]?.url).not.toContain('_summary');
    const before = await everything();
    const strict = await api.call(routes.patientSearch, { query: { identifier: 'ZPN1009', _summary: 'true' }, headers: { prefer: 'handling=strict' } });
    expect([strict.status, outcomeCode(strict)]).toEqual([400, 'UNKNOWN_PARAMETER']);
    expect(strict.json<{ issue: Array<{ expression: string[] }> }>().issue[0]?.expression).toEqual(['_summary']);
    expect((await everything()).resources).toEqual(before.resources);
  });

  it('ANDs repeated identifiers: the same NHI twice finds the patient, two NHIs nobody', async () => {
    expect(matches(await api.call(routes.patientSearch, { query: { identifier: ['ZPN1009', `${NHI_SYSTEM}|zpn1009`] } }))).toEqual([patient.id]);
    expect(matches(await api.call(routes.patientSearch, { query: { identifier: ['ZPN1009', 'ZAC5361'] } }))).toEqual([]);
  });

  it('answers _count=0 with no entries, caps large counts, and gives absolute links and fullUrls', async () => {
    const none = await api.call(routes.patientSearch, { query: { identifier: 'ZPN1009', _count: '0' } });
    expect([none.status, matches(none)]).toEqual([200, []]);
    const capped = await api.call(routes.patientSearch, { query: { identifier: 'ZPN1009', _count: '100000' } });
    expect(matches(capped)).toEqual([patient.id]);
    const bundle = capped.json<Bundle>();
    expect(bundle.link[0]?.url).toBe(`${BASE}/v1/Patient?_count=100000&identifier=ZPN1009`);
    expect(bundle.entry[0]?.fullUrl).toBe(`${BASE}/v1/Patient/${patient.id}`);
  });

  it('pages an OR list across its values, each match once, with absolute next links', async () => {
    const twins = [
      await created(await api.call(routes.patientCreate, { body: patientBody('ZRM1002'), headers: noKey })),
      await created(await api.call(routes.patientCreate, { body: patientBody('ZRM1002'), headers: noKey })),
      await created(await api.call(routes.patientCreate, { body: patientBody('ZSG1000'), headers: noKey })),
    ];
    const seen: string[] = [];
    let query: Record<string, string> = { identifier: 'ZRM1002,ZZZ0008,ZSG1000', _count: '1' };
    for (let page = 0; page < 5; page += 1) {
      const answer = await api.call(routes.patientSearch, { query });
      seen.push(...matches(answer));
      const next = answer.json<Bundle>().link.find((l) => l.relation === 'next')?.url;
      if (!next) break;
      expect(next.startsWith(`${BASE}/v1/Patient?`)).toBe(true);
      query = Object.fromEntries(new URL(next).searchParams);
    }
    expect(seen.sort()).toEqual(twins.map((t) => t.id).sort());
  });

  describe('Observation', () => {
    const observations: Record<string, string> = {};
    beforeAll(async () => {
      const make = async (name: string, effective: string, codes: Array<{ system?: string; code: string }>) => {
        observations[name] = (await created(await api.call(routes.observationCreate, { body: observationBody(patient.id, effective, codes), headers: noKey }))).id;
      };
      await make('heart', '2024-05-01T10:00:00Z', [{ system: 'http://loinc.org', code: '8867-4' }]);
      await make('local', '2024-06-15', [{ code: 'local-code' }]);
      await make('both', '2025-01-10T08:30:00+13:00', [{ system: 'http://loinc.org', code: '8310-5' }, { system: 'http://snomed.info/sct', code: '386725007' }]);
    });
    const search = async (query: Record<string, string>, token?: string) => {
      const answer = await api.call(routes.observationSearch, { query, ...(token ? { token } : {}) });
      expect(answer.status).toBe(200);
      return matches(answer);
    };
    const ids = (...names: string[]) => names.map((name) => observations[name]).sort();

    it.each([
      ['system|code', 'http://loinc.org|8867-4', ['heart']],
      ['code in any system', '8867-4', ['heart']],
      ['|code (no system)', '|local-code', ['local']],
      ['system| (any code)', 'http://loinc.org|', ['heart', 'both']],
      ['an OR list', 'http://snomed.info/sct|386725007,|local-code', ['local', 'both']],
      ['a code of another system', 'http://snomed.info/sct|8867-4', []],
    ])('finds by code as %s', async (_name, code, expected) => {
      expect(await search({ patient: `Patient/${patient.id}`, code })).toEqual(ids(...expected));
    });

    it.each([
      ['2024', ['heart', 'local']],
      ['eq2024-05', ['heart']],
      ['ne2024-05-01', ['local', 'both']],
      ['gt2024-06-15', ['both']],
      ['sa2024-06-15', ['both']],
      ['eb2024-06-15', ['heart']],
      ['le2024-06-15', ['heart', 'local']],
      ['ap2025-01-09', ['both']],
      ['ge2024-05-01T10:00', ['heart', 'local', 'both']],
      ['lt2024-05-01T10:00:00', []],
    ])('finds by date %s', async (date, expected) => {
      expect(await search({ patient: patient.id, date })).toEqual(ids(...expected));
    });

    it('ANDs a repeated parameter, as FHIR says: a date range, codes an Observation has all of, one patient', async () => {
      const many = async (query: Record<string, string[]>) => {
        const answer = await api.call(routes.observationSearch, { query });
        expect(answer.status).toBe(200);
        return matches(answer);
      };
      expect(await many({ patient: [patient.id], date: ['ge2024-05-01', 'lt2024-07'] })).toEqual(ids('heart', 'local'));
      expect(await many({ patient: [patient.id], date: ['ge2024', 'ne2024-05-01', 'ne2025'] })).toEqual(ids('local'));
      expect(await many({ patient: [patient.id], date: ['gt2025', 'lt2024'] })).toEqual([]);
      expect(await many({ patient: [patient.id], code: ['http://loinc.org|8310-5', 'http://snomed.info/sct|'] })).toEqual(ids('both'));
      expect(await many({ patient: [patient.id], code: ['8867-4', '8310-5'] })).toEqual([]);
      expect(await many({ patient: [patient.id, `Patient/${patient.id}`] })).toEqual(ids('heart', 'local', 'both'));
      expect(await many({ patient: [patient.id, 'someone-else'] })).toEqual([]);
      const paged = await api.call(routes.observationSearch, { query: { patient: [patient.id], date: ['ge2024', 'le2025'], _count: '1' } });
      const next = paged.json<Bundle>().link.find((l) => l.relation === 'next')?.url as string;
      expect(new URL(next).searchParams.getAll('date')).toEqual(['ge2024', 'le2025']);
      const second = await api.call(routes.observationSearch, { query: { ...Object.fromEntries(new URL(next).searchParams), date: ['ge2024', 'le2025'] } });
      expect(second.status).toBe(200);
    });

    it('takes a Patient reference as an id, a relative or this API\'s absolute URL; another server\'s URL finds nothing', async () => {
      const all = ids('heart', 'local', 'both');
      expect(await search({ patient: patient.id })).toEqual(all);
      expect(await search({ patient: `${BASE}/v1/Patient/${patient.id}` })).toEqual(all);
      expect(await search({ patient: `https://other.example/fhir/Patient/${patient.id}` })).toEqual([]);
    });

    it('searches a patient-context token\'s own compartment when it names no patient', async () => {
      const token = await api.token('patient/Observation.rs', { patient: patient.id });
      expect(await search({ code: '8867-4' }, token)).toEqual(ids('heart'));
      const system = await api.call(routes.observationSearch, { query: { code: '8867-4' } });
      expect([system.status, outcomeCode(system)]).toEqual([400, 'INVALID_SEARCH']);
    });
  });
});

describe('content negotiation', () => {
  it.each([
    ['application/json', {}],
    ['application/fhir+json; fhirVersion=4.0', {}],
    ['application/fhir+json;fhirVersion=4.0;charset=utf-8', {}],
    ['text/html', { _format: 'json' }],
    ['text/html', { _format: 'application/fhir+json' }],
  ])('reads with Accept %s and %j, answering application/fhir+json', async (accept, query) => {
    const patient = await created(await api.call(routes.patientCreate, { body: patientBody('ZTA1001'), headers: noKey }));
    const answer = await api.call(routes.patientRead, { params: { id: patient.id }, query, headers: { accept } });
    expect([answer.status, answer.headers['Content-Type']]).toEqual([200, 'application/fhir+json; charset=utf-8']);
  });

  it.each(['application/json', 'application/fhir+json; fhirVersion=4.0', 'application/fhir+json; fhirVersion=4.0; charset=utf-8', 'application/json;charset=UTF-8'])(
    'creates with Content-Type %s', async (contentType) => {
      await created(await api.call(routes.patientCreate, { body: patientBody('ZUB1001'), headers: { ...noKey, 'content-type': contentType } }));
    },
  );
});
