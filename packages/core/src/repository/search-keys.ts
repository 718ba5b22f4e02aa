/**
 * How resources are found without their content in clear: the `search` index of the resources
 * table is keyed by blind-index tokens (NHI) or by the subject's id and the effective time
 * (Observations). These functions build those keys and the date ranges of a search.
 */
import { blindIndex } from '../crypto/blind-index.js';
import type { DatePrefix, Token } from '../fhir/search-syntax.js';

/** Separates the parts of a sort key; sorts after every character of a date and before `~`. */
const SEP = '|';
/** Sort-key prefix of Observations without an effective time: after every date, so no date range matches them. */
const NO_DATE = 'none';
/** Above every dated key, below every undated one. */
export const MAX_DATE_KEY = `9999-12-31${SEP}\uffff`;
const MIN_DATE_KEY = '0';

export const patientSearchPk = async (nhi: string) => `Patient${SEP}nhi${SEP}${await blindIndex('nhi', nhi)}`;
/** Index key of the resources of one type in one patient's compartment. */
export const subjectSearchPk = (type: string, patientId: string) => `${type}${SEP}subject${SEP}${patientId}`;
export const observationSearchPk = (patientId: string) => subjectSearchPk('Observation', patientId);
/** Stands for "any system" or "any code" in a code token; no system (a URI) or code can be it. */
const ANY = '*';


const codeToken = (system: string, code: string) => blindIndex('code', `${system}${SEP}${code}`);

/** The blind tokens stored for one coding, one for each token form that should find it. */
export function codingTokens(system: string | undefined, code: string | undefined): Promise<string[]> {
  const forms: Array<[string, string]> = [];
  if (code !== undefined) forms.push([system ?? '', code], [ANY, code]);
  if (system !== undefined) forms.push([system, ANY]);
  return Promise.all(forms.map(([s, c]) => codeToken(s, c)));
}

/** The blind token a code search looks for. */
export const codeQueryToken = (query: Token): Promise<string> => codeToken(query.system ?? ANY, query.code ?? ANY);

/**
 * A FHIR date or dateTime as a sortable key: dates as written, times in UTC, so that string
 * order is time order within one precision.
 */
export function dateKey(value: string): string {
  return value.includes('T') ? new Date(value).toISOString() : value;
}

export const observationSearchSk = (effective: string | undefined, id: string) =>
  `${effective ? dateKey(effective) : NO_DATE}${SEP}${id}`;


/**
 * Inclusive sort-key bounds for a FHIR date search. `…|\uffff` is above every key that starts
 * with the date, so `gt`/`le` treat the date as the whole day (or month, or year) it names.
 * For single points in time `sa`/`eb` are `gt`/`lt`; `ap` is the period the value names at its
 * own precision; `ne` is the `eq` range, excluded by the caller.
 */
export function dateRange(prefix: DatePrefix, value: string): [string, string] {
  const at = dateKey(value);
  const endOf = `${at}${SEP}\uffff`;
  switch (prefix) {
    case 'eq': case 'ne': case 'ap': return [at, endOf];
    case 'ge': return [at, MAX_DATE_KEY];
    case 'gt': case 'sa': return [endOf, MAX_DATE_KEY];
    case 'le': return [MIN_DATE_KEY, endOf];
    case 'lt': case 'eb': return [MIN_DATE_KEY, at];
  }
}
