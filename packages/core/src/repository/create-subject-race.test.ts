/**
 * A create of a resource with a subject checks its Patient twice: a read (to refuse early and
 * cheaply) and, in the same transaction as the write, a condition that the Patient is still live.
 * The audit trail's intent hook runs between the two, so a delete of the subject placed there is
 * exactly the race a concurrent DELETE wins: the write must then refuse, not leave an
 * Observation of a deleted Patient.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDynamo } from '../../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../../test/support/dynamo.js';
import type { Reach } from '../access/reach.js';
import type { ObservationCreate, PatientCreate } from '../fhir/resources.js';
import { tables } from '../tables.js';
import { createResource, deleteResource } from './resource-repository.js';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startTestDynamo();
  Object.assign(process.env, {
    AUTH_ISSUER: 'https://issuer.test', AUTH_AUDIENCE: 'https://api.test',
    LOCAL_DATA_KEY_FILE: join(mkdtempSync(join(tmpdir(), 'race-keys-')), 'data-keys.json'),
  });
});
afterAll(() => dynamo.close());

const all: Reach = { kind: 'all' };
const noHook = { beforeWrite: async () => undefined };
const patient: PatientCreate = { resourceType: 'Patient', name: [{ family: 'Race' }] };
const observation = (subject: string, value = 72): ObservationCreate => ({
  resourceType: 'Observation', status: 'final', subject: { reference: `Patient/${subject}` },
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, effectiveDateTime: '2026-01-02',
  valueQuantity: { value, unit: 'beats/minute' },
});
const observations = async () => (await dynamo.scan(tables.resources.name)).filter((item) => item.resourceType === 'Observation');

describe('an Observation create racing a delete of its subject', () => {
  it('refuses with REFERENCE_NOT_FOUND and writes nothing when the Patient is deleted after the check, before the write', async () => {
    const subject = await createResource('Patient', patient, all, noHook);
    const before = await observations();
    const announced: string[] = [];
    const create = createResource('Observation', observation(subject.id), all, {
      beforeWrite: async (id) => {
        announced.push(id); // the intent record: written before the data, as always
        await deleteResource('Patient', subject.id, all, noHook);
      },
    });
    await expect(create).rejects.toMatchObject({ code: 'REFERENCE_NOT_FOUND', status: 422 });
    expect(announced).toHaveLength(1);
    expect(await observations()).toEqual(before);
  });

  it('creates running while the Patient is deleted: every write that starts after the delete is refused, every success is stored', async () => {
    const subject = await createResource('Patient', patient, all, noHook);
    let deleting: Promise<void> | undefined;
    let deleted = false;
    const creates = Array.from({ length: 20 }, (_, i) => {
      const create = { writeAfterDelete: undefined as boolean | undefined, id: '' };
      const done = createResource('Observation', observation(subject.id, i), all, {
        // The first create past its check starts the delete; half the writes run alongside it,
        // the other half start once it is done.
        beforeWrite: async (id) => {
          deleting ??= deleteResource('Patient', subject.id, all, noHook).then(() => { deleted = true; });
          if (i % 2 === 1) await deleting;
          Object.assign(create, { id, writeAfterDelete: deleted });
        },
      });
      return { create, done: done.then(() => 'stored', (error: { code?: string }) => error.code) };
    });
    const outcomes = await Promise.all(creates.map((c) => c.done));
    await deleting;
    const written = new Set((await observations()).filter((o) => o.compartment === subject.id).map((o) => o.id));
    const late = creates.map((c, i) => ({ ...c.create, outcome: outcomes[i] })).filter((c) => c.writeAfterDelete === true);
    expect(late.length).toBeGreaterThan(0);
    expect(late.filter((c) => c.outcome !== 'REFERENCE_NOT_FOUND')).toEqual([]);
    expect(late.filter((c) => written.has(c.id))).toEqual([]);
    // Every create that answered success is stored; every other one left nothing.
    expect(outcomes.filter((o) => o === 'stored').length).toBe(written.size);
    // A transaction that kept meeting others on the same Patient is told to retry (503).
    expect(outcomes.filter((o) => !['stored', 'REFERENCE_NOT_FOUND', 'SERVICE_UNAVAILABLE'].includes(o as string))).toEqual([]);
  });
});

describe('an Observation create whose id is taken (an idempotent retry)', () => {
  it('answers the earlier record for the same content and refuses other content, through the transaction', async () => {
    const subject = await createResource('Patient', patient, all, noHook);
    const id = crypto.randomUUID();
    const first = await createResource('Observation', observation(subject.id), all, { ...noHook, id });
    await expect(createResource('Observation', observation(subject.id), all, { ...noHook, id })).resolves.toEqual(first);
    await expect(createResource('Observation', observation(subject.id, 99), all, { ...noHook, id })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect((await observations()).filter((o) => o.id === id)).toHaveLength(1);
  });
});
