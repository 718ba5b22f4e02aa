import type { RouteDefinition } from '@health-api/core';
import { ApiError } from '@health-api/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import validator from '@middy/validator';
import type { ApiMiddleware } from '../request-state.js';
import type { AjvIssue, CompiledValidator, ValidatorsLoader } from './compiled-validator.js';
import { declaredNames, eventSchema } from './event-schema.js';

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
 * Validation of all content of the request (HNZAS_MUST_VALIDATE_REQUESTS) with @middy/validator,
 * by the route's validator AJV compiled at build time (`npm run validators`): nothing is compiled
 * at run time. Its module is imported from its own chunk, starting when the handler module loads,
 * so the import does not wait for it. The header normaliser has already lower-cased header names
 * and the guards have checked the media type, so the JSON parser does not check it again.
 */
export function requestValidation(route: RouteDefinition, validators: ValidatorsLoader): ApiMiddleware[] {
  const declared = declaredNames(eventSchema(route));
  let loaded: CompiledValidator | undefined;
  let loading: Promise<unknown> | undefined;
  const load = () => (loading ??= validators().then((v) => { loaded = v.event; }, (error: unknown) => {
    loading = undefined; // a failed import is retried by the next request
    throw error;
  }));
  load().catch(() => undefined); // started now; a request that finds it failed fails with it
  const ready: ApiMiddleware = { name: 'request-validation-ready', before: async () => { if (!loaded) await load(); } };
  // @middy/validator reads the verdict's issues from the function, as from AJV's own.
  const compiled: CompiledValidator = (event) => {
    const validate = loaded as CompiledValidator;
    const valid = validate(event);
    compiled.errors = validate.errors ?? null;
    return valid;
  };
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
    ready,
    check,
  ] as ApiMiddleware[];
}
