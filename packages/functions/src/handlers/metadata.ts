import { config } from '@health-api/core';
import { secureHandler } from '@health-api/middleware';
import { capabilityStatement } from '../capability-statement.js';
import { routeList, routes } from '../routes.js';

// Built once per container, on the first request: it only changes with a deploy.
const date = new Date().toISOString();
let statement: ReturnType<typeof capabilityStatement> | undefined;

export const handler = secureHandler(routes.metadata, async () => ({
  statusCode: 200,
  body: (statement ??= capabilityStatement(routeList, date, config().auth.senderConstraint)),
}));
