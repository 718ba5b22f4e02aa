/**
 * The supported subset of FHIR R4 Patient and Observation, as strict JSON schemas. The
 * TypeScript types are derived from these schemas, so the shape is written exactly once.
 * Create bodies may not carry `id` or `meta` (the server assigns both); update bodies carry the
 * `id` of the URL and still no `meta`.
 */
import type { FromSchema } from 'json-schema-to-ts';
import {
  address, annotation, codeFrom, codeableConcept, contactPoint, exactly, fhirDate, fhirDateTime, fhirId, fhirInstant, fhirInteger,
  fhirString, humanName, identifier, patientReference, quantity,
} from './datatypes.js';

const patientProperties = {
  resourceType: exactly('Patient'),
  identifier: { type: 'array', minItems: 1, maxItems: 10, items: identifier },
  active: { type: 'boolean' },
  name: { type: 'array', minItems: 1, maxItems: 10, items: humanName },
  telecom: { type: 'array', minItems: 1, maxItems: 10, items: contactPoint },
  gender: codeFrom(['male', 'female', 'other', 'unknown']),
  birthDate: fhirDate,
  deceasedBoolean: { type: 'boolean' },
  address: { type: 'array', minItems: 1, maxItems: 10, items: address },
} as const;

export const patientCreateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['resourceType'],
  properties: patientProperties,
} as const;

export const patientUpdateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['resourceType', 'id'],
  properties: { ...patientProperties, id: fhirId },
} as const;

export const observationStatus = ['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error', 'unknown'] as const;

/** The `value[x]` choices we accept; a resource carries at most one. */
export const observationValueKeys = ['valueQuantity', 'valueCodeableConcept', 'valueString', 'valueBoolean', 'valueInteger'] as const;

export const observationCreateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['resourceType', 'status', 'code', 'subject'],
  properties: {
    resourceType: exactly('Observation'),
    status: codeFrom(observationStatus),
    category: { type: 'array', minItems: 1, maxItems: 5, items: codeableConcept },
    code: codeableConcept,
    subject: patientReference,
    effectiveDateTime: fhirDateTime,
    issued: fhirInstant,
    valueQuantity: quantity,
    valueCodeableConcept: codeableConcept,
    valueString: fhirString(1024),
    valueBoolean: { type: 'boolean' },
    valueInteger: fhirInteger,
    interpretation: { type: 'array', minItems: 1, maxItems: 5, items: codeableConcept },
    note: { type: 'array', minItems: 1, maxItems: 5, items: annotation },
  },
} as const;

export type PatientCreate = FromSchema<typeof patientCreateSchema>;
export type PatientUpdate = FromSchema<typeof patientUpdateSchema>;
export type ObservationCreate = FromSchema<typeof observationCreateSchema>;

/** Server-managed metadata of every stored resource. */
export interface Meta {
  versionId: string;
  lastUpdated: string;
}

/**
 * Every resource type the repository stores, with the body a create sends. Types other than
 * Patient live in one patient's compartment through a required `subject` reference to that
 * Patient. `npm run new:endpoint` adds entries (through module augmentation in the generated
 * schema file), so the set of types is written once per type.
 */
export interface ResourceBodies {
  Patient: PatientCreate;
  Observation: ObservationCreate;
}

export type ResourceType = keyof ResourceBodies;
export type ResourceBody<T extends ResourceType> = ResourceBodies[T];
/** A create body of a resource in a patient's compartment through `subject`. */
export type SubjectResourceBody = ResourceBody<Exclude<ResourceType, 'Patient'>>;
/** A resource as the API returns it. */
export type StoredResource<T extends ResourceType> = ResourceBody<T> & { id: string; meta: Meta };
