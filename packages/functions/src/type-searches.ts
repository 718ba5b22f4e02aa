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
}

export interface TypeSearch<T extends ResourceType> {
  route: RouteDefinition & { resourceType: T; interaction: 'search-type'; schemas: { query: JsonSchema } };
  /** Runs the search; each parameter has every value it was given (repeats are ANDed, as FHIR says). */
  find: (query: SearchValues, context: FindContext) => Promise<SearchPage>;
}

export type SearchValues = Readonly<Record<string, readonly string[] | undefined>>;

const invalid = (field: string, reason: string) => new ApiError('INVALID_SEARCH', { fields: [field], reason });

/** The tokens of an OR list; a token FHIR calls malformed (two bars, empty) is a 400. */
function tokensOf(field: string, parameter: string): Token[] {
  const values = orValues(parameter);
  if (values.length > MAX_OR_VALUES) throw invalid(field, 'too many OR values');
  return values.map((value) => parseToken(value) ?? (() => { throw invalid(field, 'malformed token'); })());
}

/**
 * A reference parameter as this API names resources: `<Type>/<id>` or `<id>` as given, this API's
 * absolute URL made relative; another server's URL names nothing here.
 */
export function relativeReference(parameter: string, baseUrl: string): string | undefined {
  if (!/^https?:\/\//i.test(parameter)) return parameter;
  const ours = `${baseUrl}${API_BASE_PATH}/`;
  return baseUrl !== '' && parameter.startsWith(ours) ? parameter.slice(ours.length) : undefined;
}

/**
 * The Patient id the `patient` parameters name (all of them, when repeated: ANDed, they name one
 * patient or none). Without one, a patient-context token searches its own compartment; anyone
 * else must say whose records to search.
 */
export function patientIdOf(values: readonly string[] | undefined, context: Pick<FindContext, 'baseUrl' | 'reach'>): string | undefined {
  if (values === undefined) {
    if (context.reach.kind === 'compartment') return context.reach.patientId;
    throw invalid('patient', 'patient required');
  }
  const ids = new Set(values.map((value) => relativeReference(value, context.baseUrl)?.replace(/^Patient\//, '')));
  return ids.size === 1 ? [...ids][0] : undefined;
}

/** A `date` parameter as prefix and value; a value that is no calendar date is a 400. */
export function dateFilter(parameter: string): { prefix: DatePrefix; value: string } {
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
    let otherSystems = false;
    // Each `identifier` is an OR list of tokens; repeated, they are ANDed: a patient has one NHI at most.
    const perParameter = query.identifier.map((parameter) => {
      const nhis = new Set<string>();
      for (const { system, code } of tokensOf('identifier', parameter)) {
        if (system !== undefined && system !== NHI_SYSTEM) otherSystems ||= system !== '';
        else if (code === undefined) throw invalid('identifier', 'every NHI');
        else {
          const nhi = normaliseNhi(code);
          if (nhi) nhis.add(nhi);
          else if (system === undefined) otherSystems = true;
        }
      }
      return nhis;
    });
    const nhis = [...(perParameter[0] ?? [])].filter((nhi) => perParameter.every((set) => set.has(nhi)));
    const result = await acrossPartitions(nhis.map((nhi) => (p: Page) => searchPatientsByNhi(nhi, reach, p, { signal })), page);
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
      ...(query.code === undefined ? {} : { codes: query.code.map((parameter) => tokensOf('code', parameter)) }),
      ...(query.date === undefined ? {} : { dates: query.date.map(dateFilter) }),
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
