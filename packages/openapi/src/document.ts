import type { ErrorCode, JsonSchema, RouteDefinition } from '@health-api/core';
import { errorSpec, operationOutcome } from '@health-api/core';
import { eventSchema } from '@health-api/middleware';
import { errorCodesByStatus, routeErrorCodes } from './route-errors.js';
import { componentSchemas, pascalCase, ref, successSchemaName } from './schemas.js';
import type { OAuthEndpoints } from './security.js';
import { dpopHeaderParameter, securityRequirements, securitySchemes, senderConstraintExtension } from './security.js';

/**
 * The OpenAPI 3.1 description of the API, generated from the route manifest (paths, methods,
 * security, parameters and bodies from each route's schemas) and the error catalogue (every
 * error answer, with its codes). Nothing here lists routes or codes by hand.
 */

export const FHIR_JSON = 'application/fhir+json';

export interface OpenApiOptions extends OAuthEndpoints {
  /** Origin the manifest's paths (`/v1/...`) are served under. */
  serverUrl: string;
  version: string;
}

/** Where the deployed API and issuer would live; adopters pass their own. */
export const defaultOpenApiOptions: OpenApiOptions = {
  serverUrl: 'https://api.health.invalid',
  authorizationUrl: 'https://auth.health.invalid/auth',
  tokenUrl: 'https://auth.health.invalid/token',
  version: '0.1.0',
};

const SUCCESS_STATUS: Record<RouteDefinition['interaction'], number> = {
  capabilities: 200, read: 200, vread: 200, 'search-type': 200, create: 201, update: 200, delete: 204,
};

const a = (type: string) => `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}`;

const SUMMARIES: Record<RouteDefinition['interaction'], (type: string) => string> = {
  capabilities: () => 'The server\'s CapabilityStatement',
  read: (type) => `Read ${a(type)}`,
  vread: (type) => `Read one version of ${a(type)}`,
  'search-type': (type) => `Search ${type} resources`,
  create: (type) => `Create ${a(type)}`,
  update: (type) => `Replace ${a(type)}`,
  delete: (type) => `Delete ${a(type)}`,
};

/** What the request headers a route reads mean; their schemas come from the validator's. */
const REQUEST_HEADER_DOCS: Record<string, string> = {
  'interaction-id': 'A UUID that correlates this request in logs and the audit trail; echoed in the answer. Another value is replaced by a new UUID.',
  'idempotency-key': 'Makes a retried create safe: the same key with the same body returns the first answer; with another body, 422.',
  'if-match': 'The ETag of the version being replaced (`W/"<versionId>"`). Without it the update answers 428.',
};

/** `if-match` → `If-Match`. */
const headerName = (lowerCase: string) => lowerCase.split('-').map((part) => part[0]?.toUpperCase() + part.slice(1)).join('-');

const header = (description: string, schema: JsonSchema = { type: 'string' }, required = true) => ({ description, required, schema });

/** Response headers and error examples, kept once in `components` and referenced. */
const RESPONSE_HEADERS = {
  InteractionId: header('The request\'s Interaction-Id.', { type: 'string', format: 'uuid' }),
  InteractionIdIfHandled: header('The request\'s Interaction-Id; absent when API Gateway or WAF refused the request itself.',
    { type: 'string', format: 'uuid' }, false),
  ETag: header('Weak ETag of the version answered; send it in If-Match to update.', { type: 'string', pattern: '^W/"[1-9][0-9]*"$' }),
  LastModified: header('When this version was written (HTTP date).'),
  Location: header('Absolute URL of the created (or, for a conditional create, the matching) resource version: `<base>/v1/<Type>/<id>/_history/<vid>`.'),
  WWWAuthenticate: header('The RFC 6750 bearer challenge.'),
  RetryAfter: header('Seconds to wait before retrying.', { type: 'integer', minimum: 1 }, false),
};

/** Collects the components the operations refer to, so `components` holds exactly those. */
class ComponentRefs {
  readonly headers: Record<string, unknown> = {};
  readonly examples: Record<string, unknown> = {};

  header(name: keyof typeof RESPONSE_HEADERS) {
    this.headers[name] = RESPONSE_HEADERS[name];
    return { $ref: `#/components/headers/${name}` };
  }

  example(code: ErrorCode) {
    this.examples[code] = { summary: code, value: operationOutcome(code) };
    return { $ref: `#/components/examples/${code}` };
  }
}

function parameters(route: RouteDefinition) {
  const properties = (schema: JsonSchema | undefined) => Object.entries((schema ?? {}) as Record<string, JsonSchema>);
  const validatorHeaders = ((eventSchema(route).properties as Record<string, JsonSchema>).headers?.properties ?? {}) as JsonSchema;
  const codes = routeErrorCodes(route);
  const headerRequired = (name: string) => (name === 'idempotency-key' && route.idempotency?.required === true)
    || (name === 'if-match' && codes.includes('PRECONDITION_REQUIRED'));
  return [
    ...properties(route.schemas.path).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
    ...properties(route.schemas.query).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
    ...properties(validatorHeaders).map(([name, schema]) => ({
      name: headerName(name), in: 'header', required: headerRequired(name), schema,
      ...(REQUEST_HEADER_DOCS[name] ? { description: REQUEST_HEADER_DOCS[name] } : {}),
    })),
    ...(route.scope ? [dpopHeaderParameter(route)] : []),
  ];
}

function successResponse(route: RouteDefinition, refs: ComponentRefs) {
  const schemaName = successSchemaName(route);
  const resource = route.resourceType !== undefined && ['read', 'create', 'update'].includes(route.interaction);
  return {
    description: SUMMARIES[route.interaction](route.resourceType ?? ''),
    headers: {
      'Interaction-Id': refs.header('InteractionId'),
      ...(resource ? { ETag: refs.header('ETag'), 'Last-Modified': refs.header('LastModified') } : {}),
      ...(route.interaction === 'create' ? { Location: refs.header('Location') } : {}),
    },
    ...(schemaName ? { content: { [FHIR_JSON]: { schema: ref(schemaName) } } } : {}),
  };
}

function errorResponse(codes: ErrorCode[], refs: ComponentRefs) {
  const challenge = codes.some((code) => errorSpec(code).headers?.['WWW-Authenticate']);
  const retry = codes.some((code) => ['THROTTLED', 'QUOTA_EXCEEDED', 'SERVICE_UNAVAILABLE'].includes(code));
  return {
    description: codes.map((code) => `\`${code}\`: ${errorSpec(code).message}`).join('\n\n'),
    'x-error-codes': codes,
    headers: {
      'Interaction-Id': refs.header('InteractionIdIfHandled'),
      ...(challenge ? { 'WWW-Authenticate': refs.header('WWWAuthenticate') } : {}),
      ...(retry ? { 'Retry-After': refs.header('RetryAfter') } : {}),
    },
    content: {
      [FHIR_JSON]: {
        schema: ref('OperationOutcome'),
        examples: Object.fromEntries(codes.map((code) => [code, refs.example(code)])),
      },
    },
  };
}

function operation(route: RouteDefinition, refs: ComponentRefs) {
  const body = route.schemas.body ? ref(pascalCase(route.id)) : undefined;
  return {
    operationId: route.id,
    summary: SUMMARIES[route.interaction](route.resourceType ?? ''),
    description: `FHIR \`${route.interaction}\` interaction.${route.scope ? ` Needs SMART scope \`<context>/${route.scope.resourceType}.${route.scope.permission}\`.` : ' Public: no token.'}`
      + (route.apiKey ? ' Needs an API key.' : '') + (route.cacheTtlSeconds ? ` Cached up to ${route.cacheTtlSeconds} s.` : ''),
    tags: [route.resourceType ?? 'Server'],
    security: securityRequirements(route),
    ...senderConstraintExtension(route),
    parameters: parameters(route),
    ...(body ? {
      requestBody: {
        required: true,
        description: `JSON, at most ${route.maxBodyBytes} bytes.`,
        content: { [FHIR_JSON]: { schema: body }, 'application/json': { schema: body } },
      },
    } : {}),
    responses: {
      [String(SUCCESS_STATUS[route.interaction])]: successResponse(route, refs),
      ...Object.fromEntries([...errorCodesByStatus(route)].map(([status, codes]) => [String(status), errorResponse(codes, refs)])),
    },
  };
}

function tags(routes: readonly RouteDefinition[]) {
  const names = [...new Set(routes.map((route) => route.resourceType ?? 'Server'))];
  return names.map((name) => ({
    name,
    description: name === 'Server' ? 'What the server supports.' : `FHIR R4 ${name} resources.`,
  }));
}

/** The OpenAPI 3.1 document for `routes`. */
export function openApiDocument(routes: readonly RouteDefinition[], options: Partial<OpenApiOptions> = {}) {
  const settings = { ...defaultOpenApiOptions, ...options };
  const refs = new ComponentRefs();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route, refs) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Secure FHIR Health API',
      version: settings.version,
      summary: 'FHIR R4 Patient and Observation API on AWS Lambda.',
      description: 'Answers are `application/fhir+json`. Every refusal is a FHIR OperationOutcome whose '
        + '`issue[0].details.coding[0].code` is a stable error code; each response lists the codes it can carry. '
        + 'Send `Interaction-Id` (a UUID) to correlate a request; every answer carries one.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: settings.serverUrl }],
    tags: tags(routes),
    paths,
    components: {
      schemas: componentSchemas(routes),
      headers: refs.headers,
      examples: refs.examples,
      securitySchemes: securitySchemes(routes, settings),
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;

/** The document as committed in docs/openapi.json and served at /v1/openapi.json. */
export function openApiJson(routes: readonly RouteDefinition[], options: Partial<OpenApiOptions> = {}): string {
  return `${JSON.stringify(openApiDocument(routes, options), null, 2)}\n`;
}
