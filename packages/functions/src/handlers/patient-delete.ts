import { deleteHandler } from '../resource-handlers.js';
import { routes } from '../routes.js';

export const handler = deleteHandler(routes.patientDelete, () => import('@health-api/middleware/validators/patient-delete'));
