/** Building blocks shared by the route schemas. Every string has a maxLength. */

/** FHIR `id`: 1–64 of A–Z, a–z, 0–9, `-` and `.`. */
export const fhirId = { type: 'string', pattern: '^[A-Za-z0-9.-]{1,64}$', maxLength: 64 } as const;
