import { vreadHandler } from '../resource-handlers.js';
import { routes } from '../routes.js';

export const handler = vreadHandler(routes.patientVread, () => import('@health-api/middleware/validators/patient-vread'));
