/** HTTP details of FHIR resource interactions shared by the handlers: reach, ETags, answers. */
import type { Reach, ResourceType, RouteDefinition, StoredResource } from '@health-api/core';
import type { WriteOptions } from '@health-api/core/data';
import { API_BASE_PATH, ApiError, reachOf } from '@health-api/core';
import type { AuthContext, BusinessInput, BusinessResult, ScopeGrant } from '@health-api/middleware';

/** The records this request may touch: from the grants that allowed it and the token's patient. */
export function reachFor(input: { access: readonly ScopeGrant[]; auth: AuthContext | undefined }): Reach {
  return reachOf(input.access, input.auth?.patient);
}

/** Options of a change: the request's deadline signal, and its audit intent record written right before the data. */
export function writeOptions(input: Pick<BusinessInput<RouteDefinition>, 'signal' | 'auditIntent'>): WriteOptions {
  return { signal: input.signal, beforeWrite: input.auditIntent };
}

export const etagOf = (versionId: string) => `W/"${versionId}"`;

/** The version an update expects, from `If-Match` (whose form the route schema has checked). */
export function expectedVersion(ifMatch: string | undefined): number {
  if (ifMatch === undefined) throw new ApiError('PRECONDITION_REQUIRED');
  return Number(ifMatch.slice(3, -1));
}

/** The absolute URL of a resource, or of one version of it, on this API. */
export function resourceUrl(baseUrl: string, resourceType: string, id: string, versionId?: string): string {
  return `${baseUrl}${API_BASE_PATH}/${resourceType}/${id}${versionId === undefined ? '' : `/_history/${versionId}`}`;
}

/**
 * A resource with its ETag and Last-Modified. A create also names where it is, as FHIR asks
 * (https://hl7.org/fhir/R4/http.html#create): the absolute URL of the version, both when it was
 * made (201) and when a conditional create found it (200).
 */
export function resourceAnswer<T extends ResourceType>(resource: StoredResource<T>, options: { baseUrl?: string; statusCode?: number } = {}): BusinessResult {
  const { baseUrl, statusCode = 200 } = options;
  return {
    statusCode,
    body: resource,
    headers: {
      ETag: etagOf(resource.meta.versionId),
      'Last-Modified': new Date(resource.meta.lastUpdated).toUTCString(),
      ...(baseUrl === undefined ? {} : { Location: resourceUrl(baseUrl, resource.resourceType, resource.id, resource.meta.versionId) }),
    },
  };
}
