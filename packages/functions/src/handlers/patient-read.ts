import { readHandler } from '../resource-handlers.js';
import { routes } from '../routes.js';

export const handler = readHandler(routes.patientRead, () => import('@health-api/middleware/validators/patient-read'));
