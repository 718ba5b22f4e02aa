import type { RouteDefinition, SenderConstraint } from '@health-api/core';
import { SEARCH_PARAMETER_TYPES } from './schemas.js';

const SMART_SECURITY = 'http://terminology.hl7.org/CodeSystem/restful-security-service';
/** FHIR R4 core extension naming the search parameters a search needs (and may add). */
const SEARCH_COMBINATION = 'http://hl7.org/fhir/StructureDefinition/capabilitystatement-search-parameter-combination';

/** The search parameters of a search route, with their FHIR types; `_`-prefixed result parameters are left out. */
function searchParams(route: RouteDefinition) {
  if (route.interaction !== 'search-type') return [];
  return Object.entries(route.schemas.query ?? {}).filter(([name]) => !name.startsWith('_')).map(([name, schema]) => {
    const type = SEARCH_PARAMETER_TYPES.get(schema);
    if (!type) throw new Error(`search parameter ${route.id} ${name} has no FHIR type in SEARCH_PARAMETER_TYPES`);
    const { description } = schema as { description?: string };
    return { name, type, ...(description ? { documentation: description } : {}) };
  });
}

/** The required parameters of a search, and the ones that may come with them. */
function searchCombination(route: RouteDefinition) {
  const required = route.schemas.requiredQuery ?? [];
  if (route.interaction !== 'search-type' || required.length === 0) return [];
  const optional = searchParams(route).map((p) => p.name).filter((name) => !required.includes(name));
  return [{
    url: SEARCH_COMBINATION,
    extension: [...required.map((name) => ({ url: 'required', valueString: name })), ...optional.map((name) => ({ url: 'optional', valueString: name }))],
  }];
}

/** What a sender constraint asks of the caller, in words. */
const PROOF_OF_POSSESSION: Record<SenderConstraint, string> = {
  none: 'a bearer token',
  dpop: 'a DPoP-bound token with a DPoP proof (RFC 9449)',
  mtls: 'a token bound to the client certificate of the mutual-TLS connection (RFC 8705)',
};

const declaresHeader = (route: RouteDefinition, name: string) => name in (route.schemas.headers ?? {});

function documentation(route: RouteDefinition): string {
  const needs = [`scope */${route.scope?.resourceType}.${route.scope?.permission}`];
  if (route.senderConstraint) needs.push(PROOF_OF_POSSESSION[route.senderConstraint]);
  if (route.idempotency?.required) needs.push('an Idempotency-Key header');
  const honours = [
    ...(route.idempotency && !route.idempotency.required ? ['Idempotency-Key (a retry replays the first answer)'] : []),
    ...(declaresHeader(route, 'if-none-exist') ? ['If-None-Exist (conditional create; the criteria also need search scope)'] : []),
  ];
  return `${route.method} ${route.path} requires ${needs.join(' and ')}${honours.length > 0 ? `; honours ${honours.join(' and ')}` : ''}`;
}

/**
 * A FHIR R4 CapabilityStatement describing exactly the routes of the manifest: interactions,
 * search parameters and their required combinations, versioning, conditional create, the
 * headers a create honours or requires, and the proof of possession the stage's tokens need.
 */
export function capabilityStatement(routes: readonly RouteDefinition[], date: string, senderConstraint: SenderConstraint = 'none') {
  const byType = new Map<string, RouteDefinition[]>();
  for (const route of routes) {
    if (!route.resourceType) continue;
    byType.set(route.resourceType, [...(byType.get(route.resourceType) ?? []), route]);
  }
  const has = (typeRoutes: RouteDefinition[], interaction: RouteDefinition['interaction']) => typeRoutes.some((route) => route.interaction === interaction);
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json', 'application/fhir+json', 'application/json'],
    rest: [{
      mode: 'server',
      security: {
        cors: false,
        service: [{ coding: [{ system: SMART_SECURITY, code: 'SMART-on-FHIR' }] }],
        description: `OAuth 2.0 access tokens (JWT) with SMART v2 scopes, plus an API key in x-api-key. Every token needs ${PROOF_OF_POSSESSION[senderConstraint]}`
          + '; a DPoP-bound token always comes with its proof (Authorization: DPoP), a certificate-bound one over its certificate.',
      },
      resource: [...byType].map(([type, typeRoutes]) => {
        const search = typeRoutes.find((route) => route.interaction === 'search-type');
        return {
          type,
          ...(has(typeRoutes, 'update') ? { versioning: 'versioned-update', updateCreate: false } : has(typeRoutes, 'vread') ? { versioning: 'versioned' } : {}),
          readHistory: has(typeRoutes, 'vread'),
          ...(has(typeRoutes, 'create') ? { conditionalCreate: typeRoutes.some((route) => route.interaction === 'create' && declaresHeader(route, 'if-none-exist')) } : {}),
          interaction: typeRoutes.map((route) => ({ code: route.interaction, documentation: documentation(route) })),
          ...(search ? { extension: searchCombination(search), searchParam: searchParams(search) } : {}),
        };
      }),
    }],
  };
}
