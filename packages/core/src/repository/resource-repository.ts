/**
 * The one module through which business functions read and write FHIR resources. Every write
 * is conditional; every read applies the caller's reach; sensitive content is sealed before it
 * leaves the process. (The audit trail will hook in here, once, for every access.)
 *
 * One item per resource: `pk = <type>/<id>`, `sk = resource`. In clear it holds only what the
 * server needs to find and guard the record: ids, version, timestamps, the deletion flag, the
 * compartment (a patient id) and opaque search tokens. Everything the client sent is in
 * `sealed`, envelope-encrypted with the record's type and id as encryption context.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { Reach } from '../access/reach.js';
import { reaches } from '../access/reach.js';
import { config } from '../config.js';
import { openJson, sealJson } from '../crypto/envelope.js';
import { ApiError } from '../errors.js';
import { NHI_SYSTEM, normaliseNhi } from '../fhir/nhi.js';
import type { ObservationCreate, PatientCreate, ResourceBody, ResourceType, StoredResource, SubjectResourceBody } from '../fhir/resources.js';
import { documentClient } from './dynamo-client.js';
import type { DatePrefix, Token } from '../fhir/search-syntax.js';
import { codeQueryToken, codingTokens, dateRange, MAX_DATE_KEY, observationSearchPk, observationSearchSk, patientSearchPk, subjectSearchPk } from './search-keys.js';

const SK = 'resource';
/** Sort key of the copy of a superseded version, kept for vread. */
const versionSk = (version: number) => `history#${version}`;
/** Attributes only the current version carries: a superseded copy is found by vread alone, never by search. */
const SEARCH_ONLY = ['searchPk', 'searchSk', 'dateSk', 'codes'] as const;
const SEARCH_INDEX = 'search';
/** Query round trips one search page may take when filters discard items, before it returns a short page. */
const MAX_QUERY_ROUNDS = 5;

type Item = Record<string, NativeAttributeValue> & {
  pk: string;
  id: string;
  resourceType: ResourceType;
  version: number;
  lastUpdated: string;
  deleted: boolean;
  compartment: string;
  sealed: Uint8Array;
};

export interface CallOptions {
  signal?: AbortSignal;
}

/** What a change needs besides the call options. */
export interface WriteOptions extends CallOptions {
  /**
   * Runs once every check has passed, right before the data is written, with the id about to
   * change: the audit trail's intent record. If it throws, nothing is written.
   */
  beforeWrite: (id: string) => Promise<void>;
}

export interface Page {
  count: number;
  /** Opaque position from the previous page (already authenticated by the cursor layer). */
  after?: Record<string, unknown>;
}

export interface SearchResult<T extends ResourceType> {
  resources: Array<StoredResource<T>>;
  /** Position after the last item read; absent when the search is exhausted. */
  next?: Record<string, unknown>;
}

const table = () => config().data.tableNames.resources;
const keyOf = (type: ResourceType, id: string) => ({ pk: `${type}/${id}`, sk: SK });
const contextOf = (type: ResourceType, id: string) => ({ purpose: 'fhir-resource', resourceType: type, id });
const abort = (options: CallOptions) => ({ abortSignal: options.signal });

function patientIdOf(reference: string): string {
  return reference.slice('Patient/'.length);
}

/** The NHI of a Patient, normalised; at most one NHI identifier is accepted, and it must be valid. */
export function patientNhi(patient: PatientCreate): string | undefined {
  const nhis = (patient.identifier ?? []).filter((i) => i.system === NHI_SYSTEM);
  if (nhis.length > 1) throw new ApiError('BUSINESS_RULE', { fields: ['body.identifier'], reason: 'more than one NHI' });
  if (nhis.length === 0) return undefined;
  const nhi = normaliseNhi(nhis[0]?.value ?? '');
  if (!nhi) throw new ApiError('INVALID_NHI', { fields: ['body.identifier.value'] });
  return nhi;
}

/**
 * Search attributes of one resource: what the `search` index and filters see. Patients are
 * found by NHI, Observations by subject, date and code; any other type by its subject only.
 */
async function searchAttributes(type: ResourceType, id: string, body: ResourceBody<ResourceType>): Promise<Record<string, NativeAttributeValue>> {
  if (type === 'Patient') {
    const nhi = patientNhi(body as PatientCreate);
    return nhi ? { searchPk: await patientSearchPk(nhi), searchSk: id } : {};
  }
  if (type !== 'Observation') return { searchPk: subjectSearchPk(type, compartmentOf(type, id, body)), searchSk: id };
  const observation = body as ObservationCreate;
  const codes = [...new Set((await Promise.all((observation.code.coding ?? []).map((c) => codingTokens(c.system, c.code)))).flat())];
  const searchSk = observationSearchSk(observation.effectiveDateTime, id);
  return {
    searchPk: observationSearchPk(patientIdOf(observation.subject.reference)),
    searchSk,
    // The sort key again, as a plain attribute: a filter cannot read an index key (date=ne…).
    dateSk: searchSk,
    ...(codes.length > 0 ? { codes } : {}),
  };
}

/** With the NHI stored upper case, as the standard asks. */
function normalised<T extends ResourceType>(type: T, body: ResourceBody<T>): ResourceBody<T> {
  if (type !== 'Patient') return body;
  const patient = body as PatientCreate;
  if (!patient.identifier) return body;
  return {
    ...patient,
    identifier: patient.identifier.map((i) => (i.system === NHI_SYSTEM ? { ...i, value: normaliseNhi(i.value) ?? i.value } : i)),
  } as ResourceBody<T>;
}

function compartmentOf(type: ResourceType, id: string, body: ResourceBody<ResourceType>): string {
  return type === 'Patient' ? id : patientIdOf((body as SubjectResourceBody).subject.reference);
}

async function toResource<T extends ResourceType>(item: Item): Promise<StoredResource<T>> {
  const body = await openJson<ResourceBody<T>>(item.sealed, contextOf(item.resourceType, item.id));
  return { ...body, id: item.id, meta: { versionId: String(item.version), lastUpdated: item.lastUpdated } } as StoredResource<T>;
}

/** What is sealed: the normalised body without its id (which lives in the key and the encryption context). */
function contentOf(clean: ResourceBody<ResourceType>): Record<string, unknown> {
  const content: Record<string, unknown> = { ...clean };
  delete content.id;
  return content;
}

async function buildItem<T extends ResourceType>(type: T, id: string, body: ResourceBody<T>, version: number, lastUpdated: string): Promise<Item> {
  const clean = normalised(type, body);
  return {
    ...keyOf(type, id),
    resourceType: type,
    id,
    version,
    lastUpdated,
    deleted: false,
    compartment: compartmentOf(type, id, clean),
    ...(await searchAttributes(type, id, clean)),
    sealed: await sealJson(contentOf(clean), contextOf(type, id)),
  };
}

async function getItem(type: ResourceType, id: string, options: CallOptions): Promise<Item | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: table(), Key: keyOf(type, id), ConsistentRead: true }), abort(options));
  return out.Item as Item | undefined;
}

/**
 * The live record when the caller may see it. A record outside the caller's reach fails
 * exactly like a missing one, so its existence never leaks; a deleted one the caller could see
 * answers 410.
 */
async function reachableItem(type: ResourceType, id: string, reach: Reach, options: CallOptions): Promise<Item> {
  const item = await getItem(type, id, options);
  if (!item || !reaches(reach, item.compartment)) throw new ApiError('NOT_FOUND', { reason: item ? 'out-of-reach' : 'missing' });
  if (item.deleted) throw new ApiError('GONE');
  return item;
}

export interface CreateOptions extends WriteOptions {
  /**
   * The id to create the resource under, derived from the request's Idempotency-Key: a retry
   * after a crash between this write and the idempotency record finds this record instead of
   * writing a second one. Random when absent.
   */
  id?: string;
}

/**
 * The record an idempotent retry finds under its id: answered when it holds the same content and
 * the caller may see it; anything else is a reused key.
 */
async function earlierCreate<T extends ResourceType>(type: T, id: string, body: ResourceBody<T>, reach: Reach, options: CallOptions, cause: unknown): Promise<StoredResource<T>> {
  const item = await getItem(type, id, options);
  if (item && !item.deleted && reaches(reach, item.compartment)
    && isDeepStrictEqual(await openJson<Record<string, unknown>>(item.sealed, contextOf(type, id)), contentOf(normalised(type, body)))) {
    return toResource<T>(item);
  }
  throw new ApiError('IDEMPOTENCY_KEY_REUSED', { reason: 'id taken by another create', cause });
}

/**
 * Reach is checked before the item is built: building seals the content and derives search
 * tokens, which call KMS and read the index secret, and a caller that may not create here must
 * cost neither.
 */
export async function createResource<T extends ResourceType>(type: T, body: ResourceBody<T>, reach: Reach, options: CreateOptions): Promise<StoredResource<T>> {
  const id = options.id ?? randomUUID();
  const subjectId = type === 'Patient' ? undefined : compartmentOf(type, id, body);
  if (subjectId === undefined) {
    // A patient-context token is bound to an existing patient; it cannot bring new ones into being.
    if (reach.kind !== 'all') throw new ApiError('INSUFFICIENT_SCOPE', { reason: 'patient create needs system scope' });
  } else {
    // The subject must exist, be live and be within reach; anything else answers as if it did not
    // exist. Read first so a refused create costs no sealing; the write below checks it again.
    const subject = await getItem('Patient', subjectId, options);
    if (!subject || subject.deleted || !reaches(reach, subject.compartment)) {
      throw new ApiError('REFERENCE_NOT_FOUND', { fields: ['body.subject.reference'], reason: subject ? 'out-of-reach or deleted' : 'missing' });
    }
  }
  const item = await buildItem(type, id, body, 1, new Date().toISOString());
  await options.beforeWrite(id);
  try {
    await writeNew(item, subjectId, options);
  } catch (error) {
    if (options.id !== undefined && error instanceof ConditionalCheckFailedException) return earlierCreate(type, id, body, reach, options, error);
    throw error;
  }
  return toResource<T>(item);
}

/**
 * A write that met a transaction in flight on the same item (a create checking its subject while
 * the subject is updated or deleted): nothing was written, and the same request succeeds once the
 * other one is done, so the client is told to retry, as for any transient fault.
 */
function transactionConflict(cause: unknown): ApiError {
  return new ApiError('SERVICE_UNAVAILABLE', { reason: 'transaction-conflict', headers: { 'Retry-After': '1' }, cause });
}

/** Tries of a create's transaction that meets another on its subject. */
const CONFLICT_ATTEMPTS = 4;
const isTransactionConflict = (error: unknown) => error instanceof Error && error.name === 'TransactionConflictException';

/**
 * Puts a new record, and for a record with a subject, only while that Patient is still live: the
 * check and the put are one transaction, so a delete of the subject between the read in
 * `createResource` and this write cannot leave a record pointing at a deleted Patient. The
 * subject's failed check answers as its read would have; the put's own condition failing (the
 * id is taken) comes out as the ConditionalCheckFailedException a plain put throws.
 */
async function writeNew(item: Item, subjectId: string | undefined, options: CallOptions): Promise<void> {
  const put = { TableName: table(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' };
  if (subjectId === undefined) {
    await documentClient().send(new PutCommand(put), abort(options));
    return;
  }
  const transaction = new TransactWriteCommand({
    TransactItems: [
      {
        ConditionCheck: {
          TableName: table(),
          Key: keyOf('Patient', subjectId),
          ConditionExpression: 'attribute_exists(pk) AND deleted = :false',
          ExpressionAttributeValues: { ':false': false },
        },
      },
      { Put: put },
    ],
  });
  for (let attempt = 1; ; attempt += 1) {
    try {
      await documentClient().send(transaction, abort(options));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [subject, record] = (error.CancellationReasons ?? []).map((reason) => reason.Code);
      if (subject === 'ConditionalCheckFailed') {
        throw new ApiError('REFERENCE_NOT_FOUND', { fields: ['body.subject.reference'], reason: 'deleted during create', cause: error });
      }
      if (record === 'ConditionalCheckFailed') {
        throw new ConditionalCheckFailedException({ message: 'The record id is taken', $metadata: error.$metadata });
      }
      if (![subject, record].includes('TransactionConflict')) throw error;
      // Creates for one Patient check the same item, so concurrent ones can conflict: a canceled
      // transaction wrote nothing, and AWS advises retrying it after a short, jittered pause.
      if (attempt === CONFLICT_ATTEMPTS) throw transactionConflict(error);
      await sleep(Math.random() * 25 * 2 ** attempt, undefined, { signal: options.signal });
    }
  }
}

export async function readResource<T extends ResourceType>(type: T, id: string, reach: Reach, options: CallOptions = {}): Promise<StoredResource<T>> {
  return toResource<T>(await reachableItem(type, id, reach, options));
}

/**
 * Keeps the version `current` holds before it is replaced, under its own key. Written before the
 * conditional write that supersedes it, so a version is never lost; a version is immutable, so
 * two requests racing to supersede it write the same copy.
 */
async function keepVersion(current: Item, options: CallOptions): Promise<void> {
  const copy: Record<string, NativeAttributeValue> = { ...current, sk: versionSk(current.version) };
  for (const name of SEARCH_ONLY) delete copy[name];
  await documentClient().send(new PutCommand({ TableName: table(), Item: copy }), abort(options));
}

/**
 * `vread`: one version of a resource. The current version answers as a read does (410 once
 * deleted); an earlier one is its kept copy. Reach is checked on the current record, so a
 * version outside the caller's reach answers exactly like a missing one.
 */
export async function readResourceVersion<T extends ResourceType>(
  type: T, id: string, version: number, reach: Reach, options: CallOptions = {},
): Promise<StoredResource<T>> {
  const current = await getItem(type, id, options);
  if (!current || !reaches(reach, current.compartment) || version > current.version) {
    throw new ApiError('NOT_FOUND', { reason: current ? 'out-of-reach or no such version' : 'missing' });
  }
  if (version === current.version) {
    if (current.deleted) throw new ApiError('GONE');
    return toResource<T>(current);
  }
  const out = await documentClient().send(new GetCommand({ TableName: table(), Key: { pk: current.pk, sk: versionSk(version) }, ConsistentRead: true }), abort(options));
  if (!out.Item) throw new ApiError('NOT_FOUND', { reason: 'version not kept' });
  return toResource<T>(out.Item as Item);
}

/**
 * Replaces a resource if it is still at `expectedVersion`. The read decides between 404 and
 * 412; the conditional write makes sure no concurrent change in between is overwritten.
 */
export async function updateResource<T extends ResourceType>(
  type: T, id: string, body: ResourceBody<T>, expectedVersion: number, reach: Reach, options: WriteOptions,
): Promise<StoredResource<T>> {
  const current = await reachableItem(type, id, reach, options);
  if (current.version !== expectedVersion) throw new ApiError('PRECONDITION_FAILED', { reason: 'stale If-Match' });
  const item = await buildItem(type, id, body, expectedVersion + 1, new Date().toISOString());
  if (item.compartment !== current.compartment) throw new ApiError('BUSINESS_RULE', { fields: ['body.subject'], reason: 'compartment change' });
  await options.beforeWrite(id);
  await keepVersion(current, options);
  try {
    await documentClient().send(new PutCommand({
      TableName: table(),
      Item: item,
      ConditionExpression: 'version = :expected AND deleted = :false',
      ExpressionAttributeValues: { ':expected': expectedVersion, ':false': false },
    }), abort(options));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new ApiError('PRECONDITION_FAILED', { reason: 'concurrent update', cause: error });
    if (isTransactionConflict(error)) throw transactionConflict(error);
    throw error;
  }
  return toResource<T>(item);
}

/**
 * Soft delete: the record stays (sealed) for the audit trail and recovery, marked deleted and
 * taken out of the search index. Deleting a deleted record succeeds (DELETE is idempotent).
 */
export async function deleteResource(type: ResourceType, id: string, reach: Reach, options: WriteOptions): Promise<void> {
  const item = await getItem(type, id, options);
  if (!item || !reaches(reach, item.compartment)) throw new ApiError('NOT_FOUND', { reason: item ? 'out-of-reach' : 'missing' });
  if (item.deleted) return;
  await options.beforeWrite(id);
  await keepVersion(item, options);
  try {
    await documentClient().send(new UpdateCommand({
      TableName: table(),
      Key: keyOf(type, id),
      UpdateExpression: `SET deleted = :true, version = :next, lastUpdated = :now REMOVE ${SEARCH_ONLY.join(', ')}`,
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':true': true, ':next': item.version + 1, ':now': new Date().toISOString(), ':expected': item.version },
    }), abort(options));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new ApiError('VERSION_CONFLICT', { reason: 'concurrent change', cause: error });
    if (isTransactionConflict(error)) throw transactionConflict(error);
    throw error;
  }
}

interface IndexQuery {
  keyCondition: string;
  values: Record<string, NativeAttributeValue>;
  filter?: string;
}

/** Items read from the index per round trip: at least a full page, so one round usually fills it. */
const QUERY_BATCH = 100;

/** The index position of an item, in the shape DynamoDB takes as ExclusiveStartKey. */
const indexPositionOf = (item: Item) => ({ pk: item.pk, sk: item.sk, searchPk: item.searchPk, searchSk: item.searchSk });

/**
 * Reads one page from the search index. Filters (the caller's compartment, codes) apply before
 * the page is cut, so a page holds only what the caller may see; the position returned is just
 * after the last item placed on the page. A page that would need more than MAX_QUERY_ROUNDS
 * round trips is returned short, with its position, to bound the cost of one request.
 */
async function queryPage<T extends ResourceType>(query: IndexQuery, page: Page, options: CallOptions): Promise<SearchResult<T>> {
  const items: Item[] = [];
  let position = page.after;
  for (let round = 0; round < MAX_QUERY_ROUNDS; round += 1) {
    const out = await documentClient().send(new QueryCommand({
      TableName: table(),
      IndexName: SEARCH_INDEX,
      KeyConditionExpression: query.keyCondition,
      ...(query.filter ? { FilterExpression: query.filter } : {}),
      ExpressionAttributeValues: query.values,
      Limit: Math.max(QUERY_BATCH, page.count),
      ...(position ? { ExclusiveStartKey: position } : {}),
    }), abort(options));
    const found = (out.Items ?? []) as Item[];
    const room = page.count - items.length;
    items.push(...found.slice(0, room));
    if (found.length > room) {
      position = indexPositionOf(items[items.length - 1] as Item);
      break;
    }
    position = out.LastEvaluatedKey;
    if (!position || items.length === page.count) break;
  }
  const resources = await Promise.all(items.map((item) => toResource<T>(item)));
  return { resources, ...(position ? { next: position } : {}) };
}

export async function searchPatientsByNhi(nhi: string, reach: Reach, page: Page, options: CallOptions = {}): Promise<SearchResult<'Patient'>> {
  if (reach.kind === 'none') return { resources: [] };
  return queryPage<'Patient'>({
    keyCondition: 'searchPk = :pk',
    values: { ':pk': await patientSearchPk(nhi), ...(reach.kind === 'compartment' ? { ':compartment': reach.patientId } : {}) },
    ...(reach.kind === 'compartment' ? { filter: 'compartment = :compartment' } : {}),
  }, page, options);
}

export interface ObservationSearch {
  patientId: string;
  /** Each group is a FHIR OR list of codes; an Observation must match every group (repeated `code`). */
  codes?: Token[][];
  /** Every one must hold (repeated `date`): ranges intersect, `ne` excludes. */
  dates?: Array<{ prefix: DatePrefix; value: string }>;
}

export async function searchObservations(search: ObservationSearch, reach: Reach, page: Page, options: CallOptions = {}): Promise<SearchResult<'Observation'>> {
  if (!reaches(reach, search.patientId)) return { resources: [] };
  const ranges = (search.dates ?? []).map((date) => ({ ne: date.prefix === 'ne', range: dateRange(date.prefix, date.value) }));
  const within = ranges.filter((r) => !r.ne).map((r) => r.range);
  const excluded = ranges.filter((r) => r.ne).map((r) => r.range);
  const from = within.length > 0 ? within.map(([f]) => f).sort().at(-1) as string : undefined;
  const to = within.length > 0 ? within.map(([, t]) => t).sort()[0] as string : undefined;
  if (from !== undefined && to !== undefined && from > to) return { resources: [] }; // ranges that do not meet
  const groups = await Promise.all((search.codes ?? []).map((group) => Promise.all(group.map(codeQueryToken))));
  const values: Record<string, NativeAttributeValue> = { ':pk': observationSearchPk(search.patientId) };
  const name = (prefix: string, value: NativeAttributeValue) => {
    const key = `:${prefix}${Object.keys(values).length}`;
    values[key] = value;
    return key;
  };
  const keyCondition = from === undefined ? 'searchPk = :pk' : `searchPk = :pk AND searchSk BETWEEN ${name('from', from)} AND ${name('to', to)}`;
  const filters = [
    ...groups.map((tokens) => `(${tokens.map((token) => `contains(codes, ${name('code', token)})`).join(' OR ')})`),
    // Dated observations outside each excluded range: undated ones sort after MAX_DATE_KEY.
    ...(excluded.length > 0 ? [`dateSk <= ${name('max', MAX_DATE_KEY)}`] : []),
    ...excluded.map(([a, b]) => `NOT (dateSk BETWEEN ${name('ne', a)} AND ${name('ne', b)})`),
  ];
  return queryPage<'Observation'>({ keyCondition, values, ...(filters.length > 0 ? { filter: filters.join(' AND ') } : {}) }, page, options);
}

/**
 * The live resources of `type` in one patient's compartment, for types found by subject only
 * (see `searchAttributes`); in order of id.
 */
export async function searchBySubject<T extends Exclude<ResourceType, 'Patient' | 'Observation'>>(
  type: T, patientId: string, reach: Reach, page: Page, options: CallOptions = {},
): Promise<SearchResult<T>> {
  if (!reaches(reach, patientId)) return { resources: [] };
  return queryPage<T>({ keyCondition: 'searchPk = :pk', values: { ':pk': subjectSearchPk(type, patientId) } }, page, options);
}
