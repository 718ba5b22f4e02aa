import { checkObservation } from '@health-api/core';
import { createHandler } from '../resource-handlers.js';
import { routes } from '../routes.js';
import { observationSearch } from '../type-searches.js';

export const handler = createHandler(routes.observationCreate, () => import('@health-api/middleware/validators/observation-create'), checkObservation, observationSearch);
