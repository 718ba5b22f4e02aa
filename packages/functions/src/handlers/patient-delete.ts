import { deleteResource } from '@health-api/core/data';
import { secureHandler } from '@health-api/middleware';
import { reachFor, writeOptions } from '../resource-http.js';
import { routes } from '../routes.js';

export const handler = secureHandler(routes.patientDelete, async (input) => {
  await deleteResource('Patient', input.params.id, reachFor(input), writeOptions(input));
  return { statusCode: 204 };
});
