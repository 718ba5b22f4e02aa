import { ApiError, checkPatient } from '@health-api/core';
import { updateResource } from '@health-api/core/data';
import { secureHandler } from '@health-api/middleware';
import { expectedVersion, reachFor, resourceAnswer, writeOptions } from '../resource-http.js';
import { routes } from '../routes.js';

export const handler = secureHandler(routes.patientUpdate, async (input) => {
  const version = expectedVersion(input.headers['if-match']);
  if (input.body.id !== input.params.id) throw new ApiError('ID_MISMATCH', { fields: ['body.id'] });
  checkPatient(input.body);
  const patient = await updateResource('Patient', input.params.id, input.body, version, reachFor(input), writeOptions(input));
  return resourceAnswer(patient);
});
