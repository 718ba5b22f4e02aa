import { searchHandler } from '../resource-handlers.js';
import { observationSearch } from '../type-searches.js';

export const handler = searchHandler(observationSearch, () => import('@health-api/middleware/validators/observation-search'));
