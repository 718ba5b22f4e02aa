/**
 * How every schema is compiled, at build time (`npm run validators`) and by the tests that compile
 * at run time to compare: no coercion, no defaults written into the request, strict schemas.
 */
export const AJV_OPTIONS = { coerceTypes: false, useDefaults: false, allErrors: true, strict: true, allowUnionTypes: true } as const;
