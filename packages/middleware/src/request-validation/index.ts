import type { JsonSchema, RouteDefinition } from '@health-api/core';
import { ApiError } from '@health-api/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import validator from '@middy/validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ApiMiddleware } from '../request-state.js';
import { declaredNames, eventSchema } from './event-schema.js';

interface AjvIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

/**
 * AJV with no coercion, no defaults written into the request and strict schemas. Plain AJV
 * rather than @middy/validator's transpileSchema: that one also loads format, keyword, error
 * and i18n plugins our schemas never use, about half of every function's entry chunk.
 */
const ajv = new Ajv2020({ coerceTypes: false, useDefaults: false, allErrors: true, strict: true, allowUnionTypes: true });

/** Compiles a schema the way request validation does (also used by tests that predict it). */
export const compileSchema = (schema: JsonSchema) => ajv.compile(schema);

/**
 * Turns AJV issues into field paths. A segment that is not a name our schema declares (or an
 * array index) came from the caller, so it is masked: the error never echoes input.
 */
export function failingFields(issues: readonly AjvIssue[], declared: ReadonlySet<string>): string[] {
  const fields = new Set<string>();
  for (const issue of issues) {
    let segments = issue.instancePath.split('/').slice(1)
      .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
      .map((s) => (/^\d+$/.test(s) || declared.has(s) ? s : '*'));
    // Every value of a query parameter is checked in the multi-value map; name the parameter once.
    if (segments[0] === 'multiValueQueryStringParameters') segments = ['queryStringParameters', ...segments.slice(1, 2)];
    const missing = issue.params.missingProperty;
    if (issue.keyword === 'required' && typeof missing === 'string' && declared.has(missing)) segments.push(missing);
    fields.add(segments.join('.') || '(request)');
  }
  return [...fields];
}

/**
 * Validation of all content of the request (HNZAS_MUST_VALIDATE_REQUESTS) with @middy/validator.
 * The schema is compiled once, when the handler module loads. The header normaliser has already
 * lower-cased header names and the guards have checked the media type, so the JSON parser does
 * not check it again.
 */
export function requestValidation(route: RouteDefinition): ApiMiddleware[] {
  const schema = eventSchema(route);
  const declared = declaredNames(schema);
  const compiled = compileSchema(schema);
  const check = validator({ eventSchema: compiled });
  const validationErrors: ApiMiddleware = {
    name: 'request-validation-errors',
    onError: (request) => {
      const cause = (request.error as { cause?: { package?: string; data?: AjvIssue[] } } | null)?.cause;
      if (cause?.package === '@middy/validator') {
        request.error = new ApiError('VALIDATION_FAILED', { fields: failingFields(cause.data ?? [], declared), reason: 'schema' });
      } else if (cause?.package === '@middy/http-json-body-parser') {
        request.error = new ApiError('MALFORMED_JSON', { reason: 'json-parse' });
      }
    },
  };
  return [
    validationErrors,
    ...(route.schemas.body ? [httpJsonBodyParser({ disableContentTypeCheck: true } as Parameters<typeof httpJsonBodyParser>[0])] : []),
    check,
  ] as ApiMiddleware[];
}
