/**
 * FHIR search answers: a `searchset` Bundle with a capped page size and opaque `next` links.
 * The cursor is sealed to the route, the query and the caller, so it can only continue the
 * search that issued it, for the caller it was issued to.
 */
import type { Page } from '@health-api/core/data';
import { openCursor, sealCursor } from '@health-api/core/data';
import type { AuthContext, BusinessResult } from '@health-api/middleware';
import { createHash } from 'node:crypto';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface SearchRequest {
  path: string;
  routeId: string;
  query: Record<string, string | undefined>;
  auth: AuthContext | undefined;
}

function bindingOf(request: SearchRequest, parameters: Array<[string, string]>): string {
  const caller = [request.auth?.clientId ?? '', request.auth?.subject ?? '', request.auth?.patient ?? ''];
  return createHash('sha256').update(JSON.stringify([request.routeId, parameters, caller])).digest('base64url');
}

/** One page of matches and where the next page starts, if there is one. */
export interface SearchPage {
  resources: readonly unknown[];
  next?: Record<string, unknown> | undefined;
}

/** A returned resource's reference, which the audit trail records as disclosed. */
function referenceOf(resource: unknown): string[] {
  const { resourceType, id } = resource as { resourceType?: unknown; id?: unknown };
  return typeof resourceType === 'string' && typeof id === 'string' ? [`${resourceType}/${id}`] : [];
}

export async function searchAnswer(request: SearchRequest, run: (page: Page) => Promise<SearchPage>): Promise<BusinessResult> {
  const parameters = Object.entries(request.query)
    .filter((entry): entry is [string, string] => entry[0] !== '_cursor' && entry[1] !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  const binding = bindingOf(request, parameters);
  const count = Math.min(Number(request.query._count ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
  const cursor = request.query._cursor;
  const result = await run({ count, ...(cursor ? { after: await openCursor(cursor, binding) } : {}) });
  const next = result.next ? await sealCursor(result.next, binding) : undefined;
  const link = (extra: Array<[string, string]>) => `${request.path}?${new URLSearchParams([...parameters, ...extra]).toString()}`;
  return {
    statusCode: 200,
    body: {
      resourceType: 'Bundle',
      type: 'searchset',
      link: [
        { relation: 'self', url: link(cursor ? [['_cursor', cursor]] : []) },
        ...(next ? [{ relation: 'next', url: link([['_cursor', next]]) }] : []),
      ],
      entry: result.resources.map((resource) => ({ resource, search: { mode: 'match' } })),
    },
    disclosed: result.resources.flatMap(referenceOf),
  };
}
