/**
 * How each resource type is searched: its search route from the manifest and the function that
 * runs the search. The type's search handler and its conditional create (If-None-Exist) both use
 * it, so a conditional create matches exactly what a search would.
 */
import type { DatePrefix, JsonSchema, Reach, ResourceType, RouteDefinition, Token } from '@health-api/core';
import { API_BASE_PATH, ApiError, DATE_PREFIXES, NHI_SYSTEM, isCalendarDate, normaliseNhi, orValues, parseToken } from '@health-api/core';
import type { Page, SearchResult } from '@health-api/core/data';
import { searchBySubject, searchObservations, searchPatientsByNhi } from '@health-api/core/data';
import { routes } from './routes.js';
import type { SearchPage } from './search-bundle.js';

/** Values one OR list may hold: each can cost a query. */
const MAX_OR_VALUES = 20;

export interface FindContext {
  reach: Reach;
  page: Page;
  signal: AbortSignal;
  baseUrl: string;
  /** The token's patient launch context, if any. */
  patient: string | undefined;
}

export interface TypeSearch<T extends ResourceType> {
  route: RouteDefinition & { resourceType: T; interaction: 'search-type'; schemas: { query: JsonSchema } };
  find: (query: Readonly<Record<string, string | undefined>>, context: FindContext) => Promise<SearchPage>;
}

const invalid = (field: string, reason: string) => new ApiError('INVALID_SEARCH', { fields: [field], reason });

/** The tokens of an OR list; a token FHIR calls malformed (two bars, empty) is a 400. */
function tokensOf(field: string, parameter: string): Token[] {
  const values = orValues(parameter);
  if (values.length > MAX_OR_VALUES) throw invalid(field, 'too many OR values');
  return values.map((value) => parseToken(value) ?? (() => { throw invalid(field, 'malformed token'); })());
}

/**
 * The Patient id a `patient` reference names: `<id>`, `Patient/<id>` or this API's absolute URL
 * of it (another server's URL names nothing here). Without one, a patient-context token searches
 * its own compartment; anyone else must say whose records to search.
 */
export function patientIdOf(parameter: string | undefined, context: Pick<FindContext, 'baseUrl' | 'patient' | 'reach'>): string | undefined {
  if (parameter === undefined) {
    if (context.reach.kind === 'compartment') return context.reach.patientId;
    throw invalid('patient', 'patient required');
  }
  const ours = `${context.baseUrl}${API_BASE_PATH}/Patient/`;
  if (/^https?:\/\//i.test(parameter)) return parameter.startsWith(ours) && context.baseUrl !== '' ? parameter.slice(ours.length) : undefined;
  return parameter.replace(/^Patient\//, '');
}

/** A `date` parameter as prefix and value; a value that is no calendar date is a 400. */
export function dateFilter(parameter: string | undefined): { prefix: DatePrefix; value: string } | undefined {
  if (parameter === undefined) return undefined;
  const prefix = DATE_PREFIXES.find((p) => parameter.startsWith(p));
  const written = prefix ? parameter.slice(2) : parameter;
  if (!isCalendarDate(written)) throw invalid('date', 'calendar');
  // A time without seconds or zone: FHIR leaves the zone to the server, which works in UTC.
  const value = /T\d\d:\d\d$/.test(written) ? `${written}:00Z` : /T[\d:.]+$/.test(written) ? `${written}Z` : written;
  return { prefix: prefix ?? 'eq', value };
}

/**
 * Pages through several index partitions as one result (an OR list of values, each with its own
 * partition): the position is the partition and the place within it.
 */
async function acrossPartitions<T extends ResourceType>(
  partitions: ReadonlyArray<(page: Page) => Promise<SearchResult<T>>>, page: Page,
): Promise<SearchPage> {
  const at = page.after as { part?: number; after?: Record<string, unknown> } | undefined;
  let part = at?.part ?? 0;
  let after = at?.after;
  const resources: unknown[] = [];
  while (part < partitions.length && resources.length < page.count) {
    const result = await (partitions[part] as (page: Page) => Promise<SearchResult<T>>)({ count: page.count - resources.length, ...(after ? { after } : {}) });
    resources.push(...result.resources);
    if (result.next) return { resources, next: { part, after: result.next } };
    part += 1;
    after = undefined;
  }
  return { resources, ...(part < partitions.length ? { next: { part } } : {}) };
}

/**
 * Patients by `identifier`. Only NHI identifiers are indexed (by a keyed blind index), so a token
 * in another system matches nothing, and says so; a value that is no valid NHI cannot be one.
 */
export const patientSearch: TypeSearch<'Patient'> = {
  route: routes.patientSearch,
  find: async (query, { reach, page, signal }) => {
    if (query.identifier === undefined) throw invalid('identifier', 'identifier required');
    const tokens = tokensOf('identifier', query.identifier);
    const nhis = new Set<string>();
    let otherSystems = false;
    for (const { system, code } of tokens) {
      if (system !== undefined && system !== NHI_SYSTEM) otherSystems ||= system !== '';
      else if (code === undefined) throw invalid('identifier', 'every NHI');
      else {
        const nhi = normaliseNhi(code);
        if (nhi) nhis.add(nhi);
        else if (system === undefined) otherSystems = true;
      }
    }
    const result = await acrossPartitions([...nhis].map((nhi) => (p: Page) => searchPatientsByNhi(nhi, reach, p, { signal })), page);
    return { ...result, ...(otherSystems ? { notes: [{ code: 'IDENTIFIER_NOT_INDEXED', expression: ['identifier'] }] } : {}) };
  },
};

/** Observations of one patient, by any of `code` and a `date`. */
export const observationSearch: TypeSearch<'Observation'> = {
  route: routes.observationSearch,
  find: async (query, context) => {
    const patientId = patientIdOf(query.patient, context);
    if (patientId === undefined) return { resources: [] };
    const search = {
      patientId,
      ...(query.code === undefined ? {} : { codes: tokensOf('code', query.code) }),
      ...(query.date === undefined ? {} : { date: dateFilter(query.date) }),
    };
    return searchObservations(search, context.reach, context.page, { signal: context.signal });
  },
};

/** A type found by its subject only (`patient=…`), as the endpoint scaffolder generates them. */
export function subjectSearch<T extends Exclude<ResourceType, 'Patient' | 'Observation'>>(route: TypeSearch<T>['route']): TypeSearch<T> {
  return {
    route,
    find: async (query, context) => {
      const patientId = patientIdOf(query.patient, context);
      if (patientId === undefined) return { resources: [] };
      return searchBySubject(route.resourceType, patientId, context.reach, context.page, { signal: context.signal });
    },
  };
}
