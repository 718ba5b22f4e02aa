import { readResource } from '@health-api/core/data';
import { secureHandler } from '@health-api/middleware';
import { reachFor, resourceAnswer } from '../resource-http.js';
import { routes } from '../routes.js';

export const handler = secureHandler(routes.patientRead, async (input) =>
  resourceAnswer(await readResource('Patient', input.params.id, reachFor(input), { signal: input.signal })));
