import { searchHandler } from '../resource-handlers.js';
import { patientSearch } from '../type-searches.js';

export const handler = searchHandler(patientSearch, () => import('@health-api/middleware/validators/patient-search'));
