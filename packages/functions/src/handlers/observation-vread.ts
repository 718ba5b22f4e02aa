import { vreadHandler } from '../resource-handlers.js';
import { routes } from '../routes.js';

export const handler = vreadHandler(routes.observationVread, () => import('@health-api/middleware/validators/observation-vread'));
