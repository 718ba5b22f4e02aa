import { ApiError } from '@health-api/core';
import { secureHandler } from '@health-api/middleware';
import { routes } from '../routes.js';

// Storage arrives with the health resources issue; until then no Patient exists.
export const handler = secureHandler(routes.patientRead, async () => {
  throw new ApiError('NOT_FOUND');
});
