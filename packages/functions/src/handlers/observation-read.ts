import { readHandler } from '../resource-handlers.js';
import { routes } from '../routes.js';

export const handler = readHandler(routes.observationRead, () => import('@health-api/middleware/validators/observation-read'));
