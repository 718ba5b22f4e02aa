import { checkObservation } from '@health-api/core';
import { createResource } from '@health-api/core/data';
import { secureHandler } from '@health-api/middleware';
import { reachFor, resourceAnswer } from '../resource-http.js';
import { routes } from '../routes.js';

export const handler = secureHandler(routes.observationCreate, async (input) => {
  checkObservation(input.body);
  const observation = await createResource('Observation', input.body, reachFor(input), { signal: input.signal });
  return resourceAnswer(observation, 201);
});
