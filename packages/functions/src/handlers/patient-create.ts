import { checkPatient } from '@health-api/core';
import { createResource } from '@health-api/core/data';
import { secureHandler } from '@health-api/middleware';
import { reachFor, resourceAnswer } from '../resource-http.js';
import { routes } from '../routes.js';

export const handler = secureHandler(routes.patientCreate, async (input) => {
  checkPatient(input.body);
  const patient = await createResource('Patient', input.body, reachFor(input), { signal: input.signal });
  return resourceAnswer(patient, 201);
});
