import { ApiError, config } from '@health-api/core';
import { documentClient, searchAudit } from '@health-api/core/data';
import { secureHandler } from '@health-api/middleware';
import { routes } from '../routes.js';
import { searchAnswer } from '../search-bundle.js';

const route = routes.auditEventSearch;

/**
 * `GET /v1/AuditEvent?date=…[&entity=…][&agent=…]`: the audit trail, one day at a time, for
 * auditors. Only `system/` grants reach it: the trail spans every patient, so a patient- or
 * user-bound token has no compartment in it.
 */
export const handler = secureHandler(route, async (input) => {
  if (!input.access.some((grant) => grant.context === 'system')) throw new ApiError('INSUFFICIENT_SCOPE', { reason: 'audit needs system scope' });
  const { date, entity, agent } = input.query;
  if (date === undefined) throw new ApiError('INVALID_SEARCH', { fields: ['date'], reason: 'date required' });
  return searchAnswer(route, input, async (page) => {
    const { records, next } = await searchAudit(documentClient(), config().data.tableNames.audit, {
      day: date, limit: page.count,
      ...(entity ? { entity } : {}), ...(agent ? { agent } : {}), ...(page.after ? { after: page.after } : {}),
    });
    return { resources: records.map((r) => ({ ...r.event, id: `${r.chain}-${r.seq}` })), next };
  });
});
