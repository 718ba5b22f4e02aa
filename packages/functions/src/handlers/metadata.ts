import { secureHandler } from '@health-api/middleware';
import { capabilityStatement } from '../capability-statement.js';
import { routeList, routes } from '../routes.js';

// Built once per container: it only changes with a deploy.
const statement = capabilityStatement(routeList, new Date().toISOString());

export const handler = secureHandler(routes.metadata, async () => ({ statusCode: 200, body: statement }), () => import('@health-api/middleware/validators/metadata'));
