import { ApiError, config, orValues, parseToken } from '@health-api/core';
import type { Page } from '@health-api/core/data';
import { documentClient, searchAudit } from '@health-api/core/data';
import { secureHandler } from '@health-api/middleware';
import type { AuditDays } from '../audit-days.js';
import { allOf, auditDays, firstDay, previousDay } from '../audit-days.js';
import { routes } from '../routes.js';
import type { SearchPage } from '../search-bundle.js';
import { searchAnswer } from '../search-bundle.js';
import { dateFilter, relativeReference } from '../type-searches.js';

const route = routes.auditEventSearch;

/** Days one request reads at most; the page is then returned short, with where to go on. */
const MAX_DAYS_PER_REQUEST = 31;

const invalid = (field: string, reason: string) => new ApiError('INVALID_SEARCH', { fields: [field], reason });

/**
 * `entity`: `Type/id`, this API's absolute URL of one, or a bare id (any type: matched as `/id`).
 * Another server's URL names nothing here.
 */
function entityOf(parameter: string, baseUrl: string): string | undefined {
  const reference = relativeReference(parameter, baseUrl);
  return reference === undefined || reference.includes('/') ? reference : `/${reference}`;
}

/** `agent` tokens as client ids: agents are recorded by client id, with no identifier system. */
function agentsOf(parameter: string): string[] {
  return orValues(parameter).flatMap((value) => {
    const token = parseToken(value);
    if (!token) throw invalid('agent', 'malformed token');
    return token.code !== undefined && (token.system === undefined || token.system === '') ? [token.code] : [];
  });
}

/** What every one of a repeated parameter's values allows (FHIR ANDs them): the values common to all. */
const common = (sets: readonly string[][]): string[] => (sets[0] ?? []).filter((value) => sets.every((set) => set.includes(value)));

/** Reads the days of the range newest first, until the page is full or the request's share of days is read. */
async function searchDays(days: AuditDays, filters: { agents?: string[]; entity?: string }, page: Page): Promise<SearchPage> {
  const at = page.after as { day: string; position?: Record<string, unknown> } | undefined;
  let day = at?.day ?? firstDay(days);
  let position = at?.position;
  const resources: unknown[] = [];
  for (let read = 0; day !== undefined && read < MAX_DAYS_PER_REQUEST && resources.length < page.count; read += 1) {
    const { records, next } = await searchAudit(documentClient(), config().data.tableNames.audit, {
      day, limit: page.count - resources.length, ...filters, ...(position ? { after: position } : {}),
    });
    const exact = filters.entity?.startsWith('/') ? records.filter((r) => r.entity.endsWith(filters.entity as string)) : records;
    resources.push(...exact.map((r) => ({ ...r.event, id: `${r.chain}-${r.seq}` })));
    if (next) return { resources, next: { day, position: next } };
    day = previousDay(days, day);
    position = undefined;
  }
  return { resources, ...(day !== undefined ? { next: { day } } : {}) };
}

/**
 * `GET /v1/AuditEvent?date=…[&entity=…][&agent=…]`: the audit trail, newest first, for auditors.
 * Only `system/` grants reach it: the trail spans every patient, so a patient- or user-bound
 * token has no compartment in it.
 */
export const handler = secureHandler(route, async (input) => {
  if (!input.access.some((grant) => grant.context === 'system')) throw new ApiError('INSUFFICIENT_SCOPE', { reason: 'audit needs system scope' });
  const { date, entity, agent } = input.query;
  if (date === undefined) throw invalid('date', 'date required');
  const days = allOf(date.map(dateFilter).map((filter) => auditDays(filter.prefix, filter.value)));
  const entities = entity === undefined ? undefined : common(entity.map((value) => {
    const named = entityOf(value, input.baseUrl);
    return named === undefined ? [] : [named];
  }));
  const agents = agent === undefined ? undefined : common(agent.map(agentsOf));
  return searchAnswer(route, input, async (page) => {
    // References to another server or to different resources, or agents no client can be, match nothing.
    if ((entities !== undefined && entities.length !== 1) || agents?.length === 0) return { resources: [] };
    return searchDays(days, { ...(agents ? { agents } : {}), ...(entities ? { entity: entities[0] as string } : {}) }, page);
  });
}, () => import('@health-api/middleware/validators/audit-event-search'));
