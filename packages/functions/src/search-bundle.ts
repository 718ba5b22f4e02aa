/**
 * FHIR search answers: a `searchset` Bundle with a capped page size, absolute links and opaque
 * `next` cursors, plus an OperationOutcome entry for what the server ignored or could not match.
 * The cursor is sealed to the route, the query and the caller, so it can only continue the
 * search that issued it, for the caller it was issued to.
 */
import type { RouteDefinition, SearchNote } from '@health-api/core';
import { noteOutcome } from '@health-api/core';
import type { Page } from '@health-api/core/data';
import { openCursor, sealCursor } from '@health-api/core/data';
import type { BusinessInput, BusinessResult } from '@health-api/middleware';
import { callerBinding } from '@health-api/middleware';
import { createHash } from 'node:crypto';
import { resourceUrl } from './resource-http.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** What a search needs of the request: its parameters, the caller and the URL it was called at. */
export type SearchInput = Pick<BusinessInput<RouteDefinition>, 'query' | 'auth' | 'baseUrl' | 'ignoredParameters'>;

function bindingOf(route: RouteDefinition, input: SearchInput, parameters: Array<[string, string]>): string {
  return createHash('sha256').update(JSON.stringify([route.id, parameters, callerBinding(input.auth)])).digest('base64url');
}

/** One page of matches, where the next page starts if there is one, and notes for the caller. */
export interface SearchPage {
  resources: readonly unknown[];
  next?: Record<string, unknown> | undefined;
  notes?: SearchNote[];
}

/** A returned resource's type and id, when it has both. */
function typeAndId(resource: unknown): [string, string] | undefined {
  const { resourceType, id } = resource as { resourceType?: unknown; id?: unknown };
  return typeof resourceType === 'string' && typeof id === 'string' ? [resourceType, id] : undefined;
}

export async function searchAnswer(route: RouteDefinition, input: SearchInput, run: (page: Page) => Promise<SearchPage>): Promise<BusinessResult> {
  const query = input.query as Record<string, string[] | undefined>;
  // Every value of every parameter (a search parameter may repeat), in a stable order.
  const parameters = Object.entries(query)
    .filter(([name]) => name !== '_cursor')
    .flatMap(([name, values]) => (values ?? []).map((value): [string, string] => [name, value]))
    .sort(([a], [b]) => a.localeCompare(b));
  const binding = bindingOf(route, input, parameters);
  const count = Math.min(Number(query._count?.[0] ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
  const cursor = query._cursor?.[0]; // result parameters never repeat (request guards)
  // `_count=0` asks for no entries (https://hl7.org/fhir/R4/search.html#count): nothing is read.
  const result: SearchPage = count === 0 ? { resources: [] } : await run({ count, ...(cursor ? { after: await openCursor(cursor, binding) } : {}) });
  const next = result.next ? await sealCursor(result.next, binding) : undefined;
  const link = (extra: Array<[string, string]>) => `${input.baseUrl}${route.path}?${new URLSearchParams([...parameters, ...extra]).toString()}`;
  const notes: SearchNote[] = [
    ...(input.ignoredParameters.length > 0 ? [{ code: 'PARAMETER_IGNORED' as const, expression: input.ignoredParameters }] : []),
    ...(result.notes ?? []),
  ];
  return {
    statusCode: 200,
    body: {
      resourceType: 'Bundle',
      type: 'searchset',
      link: [
        { relation: 'self', url: link(cursor ? [['_cursor', cursor]] : []) },
        ...(next ? [{ relation: 'next', url: link([['_cursor', next]]) }] : []),
      ],
      entry: [
        ...result.resources.map((resource) => {
          const found = typeAndId(resource);
          return { ...(found ? { fullUrl: resourceUrl(input.baseUrl, ...found) } : {}), resource, search: { mode: 'match' } };
        }),
        ...(notes.length > 0 ? [{ resource: noteOutcome(notes), search: { mode: 'outcome' } }] : []),
      ],
    },
    // What the audit trail records as disclosed by this search.
    disclosed: result.resources.flatMap((resource) => {
      const found = typeAndId(resource);
      return found ? [found.join('/')] : [];
    }),
  };
}
