import { checkPatient } from '@health-api/core';
import { createHandler } from '../resource-handlers.js';
import { routes } from '../routes.js';
import { patientSearch } from '../type-searches.js';

export const handler = createHandler(routes.patientCreate, () => import('@health-api/middleware/validators/patient-create'), checkPatient, patientSearch);
