import { checkPatient } from '@health-api/core';
import { updateHandler } from '../resource-handlers.js';
import { routes } from '../routes.js';

export const handler = updateHandler(routes.patientUpdate, () => import('@health-api/middleware/validators/patient-update'), checkPatient);
