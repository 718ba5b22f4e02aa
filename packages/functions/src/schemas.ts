/**
 * Building blocks of the route schemas (path, query and header values). Every string has a
 * maxLength and a pattern; the FHIR resource schemas themselves live in @health-api/core.
 */
import { DATE_TIME_EXPRESSION, NHI_SYSTEM, fhirId } from '@health-api/core';

export { fhirId };

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** `If-Match: W/"<version>"`, exactly as we send it in ETag. */
export const ifMatch = { type: 'string', maxLength: 16, pattern: '^W/"[1-9][0-9]{0,9}"$' } as const;

/** A client-chosen idempotency key, e.g. a UUID. */
export const idempotencyKey = { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9_.:-]{8,128}$' } as const;

/** `_count`: a page size; larger values are capped, not refused. */
export const pageSize = { type: 'string', maxLength: 4, pattern: '^[1-9][0-9]{0,3}$' } as const;

/** `_cursor`: an opaque paging position we issued. */
export const pageCursor = { type: 'string', maxLength: 2048, pattern: '^[A-Za-z0-9_-]{16,2048}$' } as const;

/** `identifier=<NHI system>|<value>`; the value's check character is verified by the handler, with its own error. */
export const nhiIdentifierToken = { type: 'string', maxLength: 80, pattern: `^${escaped(NHI_SYSTEM)}\\|[A-Za-z0-9]{1,16}$` } as const;

/** `patient=Patient/<id>` or `patient=<id>`. */
export const patientParameter = { type: 'string', maxLength: 72, pattern: '^(Patient/)?[A-Za-z0-9.-]{1,64}$' } as const;

/** `code=<system>|<code>`: printable characters, no spaces, one bar. */
export const codeToken = { type: 'string', maxLength: 321, pattern: '^[\\x21-\\x7B\\x7D\\x7E]{1,256}\\|[\\x21-\\x7B\\x7D\\x7E]{1,64}$' } as const;

/** `date=[eq|ge|gt|le|lt]<FHIR date or dateTime>`. */
export const dateParameter = { type: 'string', maxLength: 40, pattern: `^(eq|ge|gt|le|lt)?${DATE_TIME_EXPRESSION}$` } as const;

/** AuditEvent `date=YYYY-MM-DD`: the audit trail is searched one day at a time. */
export const auditDay = { type: 'string', maxLength: 10, pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' } as const;

/** AuditEvent `entity=<Type>/<id>`: a resource reference. */
export const auditEntity = { type: 'string', maxLength: 80, pattern: '^[A-Z][A-Za-z]{1,14}/[A-Za-z0-9.-]{1,64}$' } as const;

/** AuditEvent `agent=<client id>`. */
export const auditAgent = { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9._:@-]{1,128}$' } as const;

/**
 * The FHIR type (https://hl7.org/fhir/R4/search.html#ptypes) of each search parameter schema,
 * which the CapabilityStatement declares. Result parameters (`_count`, `_cursor`) are not listed.
 */
export const SEARCH_PARAMETER_TYPES: ReadonlyMap<unknown, 'token' | 'reference' | 'date'> = new Map<unknown, 'token' | 'reference' | 'date'>([
  [nhiIdentifierToken, 'token'],
  [patientParameter, 'reference'],
  [codeToken, 'token'],
  [dateParameter, 'date'],
  [auditDay, 'date'],
  [auditEntity, 'reference'],
  [auditAgent, 'token'],
]);
