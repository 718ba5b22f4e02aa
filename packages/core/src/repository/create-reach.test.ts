/**
 * A create the caller may not make costs no KMS call and no read of the index secret: reach is
 * checked before the item is sealed. The AWS path of the data keys runs against a local stand-in
 * for the KMS and Secrets Manager APIs (the only mock) that counts the calls it gets; the data
 * is in DynamoDB Local.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestDynamo } from '../../../../test/support/dynamo.js';
import { startTestDynamo } from '../../../../test/support/dynamo.js';
import type { Reach } from '../access/reach.js';
import type { ErrorCode } from '../errors.js';
import type { ObservationCreate, PatientCreate } from '../fhir/resources.js';
import { tables } from '../tables.js';
import { createResource } from './resource-repository.js';

let awsCalls: string[] = [];
const controlPlane = createServer((request, response) => {
  awsCalls.push(String(request.headers['x-amz-target']));
  request.resume().on('end', () => {
    response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify({ __type: 'InternalFailure', message: 'stand-in' }));
  });
});

let dynamo: TestDynamo;
beforeAll(async () => {
  await new Promise<void>((resolve) => controlPlane.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(controlPlane.address() as AddressInfo).port}`;
  dynamo = await startTestDynamo();
  Object.assign(process.env, {
    AUTH_ISSUER: 'https://issuer.test', AUTH_AUDIENCE: 'https://api.test',
    FIELD_KEY_ARN: 'arn:aws:kms:ap-southeast-2:1:key/k', BLIND_INDEX_SECRET_ARN: 'arn:aws:secretsmanager:ap-southeast-2:1:secret:index',
    AWS_ENDPOINT_URL_KMS: endpoint, AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
  });
  // The subject of the Observations below: a live Patient in its own compartment.
  await dynamo.documents.send(new PutCommand({
    TableName: tables.resources.name,
    Item: { pk: 'Patient/p-other', sk: 'resource', id: 'p-other', resourceType: 'Patient', version: 1, deleted: false, compartment: 'p-other' },
  }));
});
afterAll(async () => {
  await dynamo.close();
  await new Promise<void>((resolve) => controlPlane.close(() => resolve()));
});
beforeEach(() => {
  awsCalls = [];
});

const observation = (subject: string): ObservationCreate => ({
  resourceType: 'Observation', status: 'final', subject: { reference: `Patient/${subject}` },
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, effectiveDateTime: '2026-01-02',
});
const patient: PatientCreate = { resourceType: 'Patient', identifier: [{ system: 'https://standards.digital.health.nz/ns/nhi-id', value: 'ZAC5361' }] };
const ownPatient: Reach = { kind: 'compartment', patientId: 'p-mine' };
let announced: string[] = [];
function options() {
  announced = [];
  return { id: crypto.randomUUID(), beforeWrite: async (id: string) => { announced.push(id); } };
}

describe('a create outside the caller\'s reach', () => {
  it.each<[string, () => Parameters<typeof createResource>, ErrorCode]>([
    ['an Observation of a patient outside the token\'s compartment', () => ['Observation', observation('p-other'), ownPatient, options()], 'REFERENCE_NOT_FOUND'],
    ['an Observation of a patient that does not exist', () => ['Observation', observation('p-missing'), { kind: 'all' }, options()], 'REFERENCE_NOT_FOUND'],
    ['a Patient created with a patient-context token', () => ['Patient', patient, ownPatient, options()], 'INSUFFICIENT_SCOPE'],
  ])('%s is refused before any KMS or Secrets Manager call, and nothing is written', async (_name, args, code) => {
    const before = await dynamo.scan(tables.resources.name);
    await expect(createResource(...args())).rejects.toMatchObject({ code });
    expect(awsCalls).toEqual([]);
    expect(announced).toEqual([]);
    expect(await dynamo.scan(tables.resources.name)).toEqual(before);
  });

  it('while a create within reach does reach KMS (the stand-in fails it)', async () => {
    await expect(createResource('Observation', observation('p-other'), { kind: 'all' }, options())).rejects.not.toMatchObject({ code: 'REFERENCE_NOT_FOUND' });
    expect(awsCalls.length).toBeGreaterThan(0);
  });
});
