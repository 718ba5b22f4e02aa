/**
 * Building blocks of the route schemas (path, query and header values). Every string has a
 * maxLength and a pattern; the FHIR resource schemas themselves live in @health-api/core.
 */
import { DATE_PREFIXES, FHIR_ID_SYNTAX, SEARCH_DATE_EXPRESSION, fhirId } from '@health-api/core';

export { fhirId };

/** `If-Match: W/"<version>"`, exactly as we send it in ETag. */
export const ifMatch = { type: 'string', maxLength: 16, pattern: '^W/"[1-9][0-9]{0,9}"$' } as const;

/** A client-chosen idempotency key, e.g. a UUID. */
export const idempotencyKey = { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9_.:-]{8,128}$' } as const;

/** `If-None-Exist`: search parameters as a query string (printable ASCII, percent-encoded as in a URL). */
export const conditionalCriteria = { type: 'string', maxLength: 2048, pattern: '^[\\x20-\\x7E]{1,2048}$' } as const;

/** `_count`: a page size; larger values are capped, not refused; 0 asks for no entries. */
export const pageSize = { type: 'string', maxLength: 9, pattern: '^[0-9]{1,9}$' } as const;

/** `_cursor`: an opaque paging position we issued. */
export const pageCursor = { type: 'string', maxLength: 2048, pattern: '^[A-Za-z0-9_-]{16,2048}$' } as const;

/**
 * A FHIR token (`[system|]code`, an OR list of them with `,`, escapes with `\\`): any printable
 * text. The handler reads its parts; parts longer than anything we store simply match nothing.
 */
export const tokenParameter = {
  type: 'string', maxLength: 1024, pattern: '^[^\\u0000-\\u001F\\u007F\\uD800-\\uDFFF]{1,1024}$',
  description: 'A token: `system|code`, `code` (any system), `|code` (no system) or `system|` (any code); `,` separates values of an OR list.',
} as const;

/** `identifier`: a token of which only NHI identifiers are indexed. */
export const identifierParameter = {
  ...tokenParameter,
  description: 'An identifier token (`system|value`, `value`, `|value`, OR lists with `,`). Only NHI identifiers '
    + '(https://standards.digital.health.nz/ns/nhi-id) are indexed: other systems match nothing, and the Bundle says so.',
} as const;

/** `patient=<id>`, `Patient/<id>` or an absolute URL of a Patient. */
export const patientParameter = {
  type: 'string', maxLength: 330, pattern: `^([Hh][Tt][Tt][Pp][Ss]?://[\\x21-\\x7E]{1,256}/)?(Patient/)?${FHIR_ID_SYNTAX}$`,
  description: 'The Patient: `<id>`, `Patient/<id>` or its absolute URL. Required, except that a patient-context token searches its own compartment without it.',
} as const;

/** `date=[prefix]<FHIR date or dateTime>` with any of FHIR's prefixes; a time may leave out seconds and zone. */
export const dateParameter = {
  type: 'string', maxLength: 40, pattern: `^(${DATE_PREFIXES.join('|')})?${SEARCH_DATE_EXPRESSION}$`,
  description: 'A date or time with an optional prefix (eq, ne, gt, lt, ge, le, sa, eb, ap); a time without a zone is UTC, and `ap` means the period the value names.',
} as const;

/** The `{vid}` of `_history/{vid}`: any FHIR id; only our version numbers can match. */
export const versionId = fhirId;

/** AuditEvent `date`: a date parameter, searched by UTC day (the trail is kept per day). */
export const auditDate = {
  ...dateParameter,
  description: 'A date or time with an optional prefix; the trail is kept per UTC day, so a time narrows to its day. Open ranges reach back to the retention.',
} as const;

/** AuditEvent `entity`: `Type/id`, this API's absolute URL of one, or a bare id (any type). */
export const auditEntity = {
  type: 'string', maxLength: 400, pattern: `^([Hh][Tt][Tt][Pp][Ss]?://[\\x21-\\x7E]{1,256}/)?([A-Z][A-Za-z]{1,63}/)?${FHIR_ID_SYNTAX}$`,
  description: 'The resource the event is about: `Type/id`, its absolute URL on this API, or its id alone.',
} as const;

/** AuditEvent `agent`: the client, as a token whose code is its client id (recorded with no system). */
export const auditAgent = {
  ...tokenParameter,
  description: 'The client that called, as a token: its client id (`id` or `|id`); OR lists with `,`.',
} as const;

/**
 * The FHIR type (https://hl7.org/fhir/R4/search.html#ptypes) of each search parameter schema,
 * which the CapabilityStatement declares. Result parameters (`_count`, `_cursor`) are not listed.
 */
export const SEARCH_PARAMETER_TYPES: ReadonlyMap<unknown, 'token' | 'reference' | 'date'> = new Map<unknown, 'token' | 'reference' | 'date'>([
  [tokenParameter, 'token'],
  [identifierParameter, 'token'],
  [patientParameter, 'reference'],
  [dateParameter, 'date'],
  [auditDate, 'date'],
  [auditEntity, 'reference'],
  [auditAgent, 'token'],
]);
