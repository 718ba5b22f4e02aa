import { config } from '@health-api/core';
import { secureHandler } from '@health-api/middleware';
import { capabilityStatement } from '../capability-statement.js';
import { routeList, routes } from '../routes.js';

// Built and serialised once per container, on the first request: it only changes with a deploy.
const date = new Date().toISOString();
let json: string | undefined;

export const handler = secureHandler(routes.metadata, async () => ({
  statusCode: 200,
  json: (json ??= JSON.stringify(capabilityStatement(routeList, date, config().auth.senderConstraint))),
}), () => import('@health-api/middleware/validators/metadata'));
