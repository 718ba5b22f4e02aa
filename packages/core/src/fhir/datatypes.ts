/**
 * JSON schemas of the FHIR R4 data types we accept, restricted to what this API models. Every
 * object is closed (`additionalProperties: false`), every string has a maxLength and every
 * array a maxItems, so no request can make us store or process more than we planned for.
 * Patterns are the regular expressions the FHIR R4 specification gives for each primitive.
 */

/**
 * FHIR `string`: not empty; no control characters other than tab, CR and LF; no lone UTF-16
 * surrogates (AJV compiles patterns with the `u` flag, so a paired surrogate is one character).
 */
export const fhirString = <N extends number>(maxLength: N) =>
  ({ type: 'string', minLength: 1, maxLength, pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F\\uD800-\\uDFFF]+$' }) as const;

/** A FHIR `code` from a fixed value set; bounded like every other string. */
export const codeFrom = <const V extends readonly string[]>(values: V) =>
  ({ type: 'string', enum: values, maxLength: Math.max(...values.map((v) => v.length)) }) as const;

/** A string that must be exactly `value`, e.g. `resourceType`. */
export const exactly = <const V extends string>(value: V) => ({ type: 'string', const: value, maxLength: value.length }) as const;

/** FHIR `code`: tokens separated by single spaces. */
export const fhirCode = { type: 'string', maxLength: 64, pattern: '^[^\\s]+( [^\\s]+)*$' } as const;

/** FHIR `uri`, limited to absolute http(s) and urn: identifiers of code and naming systems. */
export const fhirUri = { type: 'string', maxLength: 256, pattern: '^(https?://|urn:)[\\x21-\\x7E]+$' } as const;

/** FHIR `id` syntax (https://hl7.org/fhir/R4/datatypes.html#id): the one definition, for schemas and code alike. */
export const FHIR_ID_SYNTAX = '[A-Za-z0-9.-]{1,64}';
export const FHIR_ID = new RegExp(`^${FHIR_ID_SYNTAX}$`);

/** FHIR `id`. */
export const fhirId = { type: 'string', maxLength: 64, pattern: `^${FHIR_ID_SYNTAX}$` } as const;

// Parts of the FHIR R4 date and time regular expressions.
const YEAR = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const MONTH = '(0[1-9]|1[0-2])';
const DAY = '(0[1-9]|[1-2][0-9]|3[0-1])';
const TIME = 'T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]{1,9})?';
const ZONE = '(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';

/** The FHIR `dateTime` expression without anchors, for search parameters that prefix it. */
export const DATE_TIME_EXPRESSION = `${YEAR}(-${MONTH}(-${DAY}(${TIME}${ZONE})?)?)?`;

/** A date or time in a search value (https://hl7.org/fhir/R4/search.html#date): seconds and zone may be left out. */
export const SEARCH_DATE_EXPRESSION = `${YEAR}(-${MONTH}(-${DAY}(T([01][0-9]|2[0-3]):[0-5][0-9](:([0-5][0-9]|60)(\\.[0-9]{1,9})?)?${ZONE}?)?)?)?`;

/** FHIR `date`: YYYY, YYYY-MM or YYYY-MM-DD. */
export const fhirDate = { type: 'string', maxLength: 10, pattern: `^${YEAR}(-${MONTH}(-${DAY})?)?$` } as const;

/** FHIR `dateTime`: a date, or a full time with a time zone. */
export const fhirDateTime = { type: 'string', maxLength: 35, pattern: `^${DATE_TIME_EXPRESSION}$` } as const;

/** FHIR `instant`: a full time with a time zone. */
export const fhirInstant = { type: 'string', maxLength: 35, pattern: `^${YEAR}-${MONTH}-${DAY}${TIME}${ZONE}$` } as const;

/** FHIR `decimal`, bounded: values outside this range are not clinical measurements. */
export const fhirDecimal = { type: 'number', minimum: -1e12, maximum: 1e12 } as const;

export const fhirInteger = { type: 'integer', minimum: -2147483648, maximum: 2147483647 } as const;

export const coding = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    system: fhirUri,
    version: fhirString(64),
    code: fhirCode,
    display: fhirString(500),
  },
} as const;

export const codeableConcept = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    coding: { type: 'array', minItems: 1, maxItems: 5, items: coding },
    text: fhirString(500),
  },
} as const;

export const identifier = {
  type: 'object',
  additionalProperties: false,
  required: ['system', 'value'],
  properties: {
    use: codeFrom(['usual', 'official', 'temp', 'secondary', 'old']),
    system: fhirUri,
    value: fhirString(64),
  },
} as const;

export const humanName = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    use: codeFrom(['usual', 'official', 'temp', 'nickname', 'anonymous', 'old', 'maiden']),
    text: fhirString(200),
    family: fhirString(100),
    given: { type: 'array', minItems: 1, maxItems: 5, items: fhirString(100) },
    prefix: { type: 'array', minItems: 1, maxItems: 3, items: fhirString(40) },
    suffix: { type: 'array', minItems: 1, maxItems: 3, items: fhirString(40) },
  },
} as const;

export const contactPoint = {
  type: 'object',
  additionalProperties: false,
  required: ['system', 'value'],
  properties: {
    system: codeFrom(['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other']),
    value: fhirString(256),
    use: codeFrom(['home', 'work', 'temp', 'old', 'mobile']),
    rank: { type: 'integer', minimum: 1, maximum: 100 },
  },
} as const;

export const address = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    use: codeFrom(['home', 'work', 'temp', 'old', 'billing']),
    type: codeFrom(['postal', 'physical', 'both']),
    text: fhirString(400),
    line: { type: 'array', minItems: 1, maxItems: 4, items: fhirString(200) },
    city: fhirString(100),
    district: fhirString(100),
    state: fhirString(100),
    postalCode: fhirString(16),
    country: fhirString(64),
  },
} as const;

export const quantity = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    value: fhirDecimal,
    comparator: codeFrom(['<', '<=', '>=', '>']),
    unit: fhirString(64),
    system: fhirUri,
    code: fhirCode,
  },
} as const;

/** A reference to a Patient of this server, always relative (`Patient/<id>`). */
export const patientReference = {
  type: 'object',
  additionalProperties: false,
  required: ['reference'],
  properties: {
    reference: { type: 'string', maxLength: 72, pattern: `^Patient/${FHIR_ID_SYNTAX}$` },
    display: fhirString(200),
  },
} as const;

export const annotation = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: { text: fhirString(2000), time: fhirDateTime },
} as const;
