/**
 * Log redaction over HTTPS. The handlers never hand a secret to the logger, so the attack cases
 * alone cannot show that the redacting replacer works; this case can. An adopter's endpoint,
 * written the only way endpoints are written (secureHandler, behind the gateway, with the
 * shared logger), logs the whole request carelessly: headers, body, query, and the NHI spliced
 * into a message. It is never handed the token or the API key (business code gets only the
 * headers its route declares); nothing of them, the NHI or names may reach a log line. (A name
 * under an unrelated key or inside a sentence has no shape to recognise: only not logging it
 * prevents that, which is why handlers log identifiers only.)
 */
import type { RouteDefinition } from '@health-api/core';
import { patientCreateSchema } from '@health-api/core';
import type { RouteBinding } from '@health-api/local';
import { logger, secureHandler } from '@health-api/middleware';
import { compiledAtRunTime } from '../../packages/middleware/src/request-validation/compile-schema.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityStack } from './harness.js';
import { PATIENT_FAMILY, PATIENT_NHI, expectNoSecretsLogged, patientBody, startSecurityStack } from './harness.js';

const careless = {
  id: 'careless-debug', method: 'POST', path: '/v1/CarelessDebug', interaction: 'create', resourceType: 'Patient',
  scope: { resourceType: 'Patient', permission: 'c' }, apiKey: true, maxBodyBytes: 16 * 1024, timeoutSeconds: 5, memoryMb: 256,
  schemas: { body: patientCreateSchema },
} as const satisfies RouteDefinition;

/** The headers the careless endpoint was handed, last call. */
let handedHeaders: unknown;
const carelessHandler = secureHandler(careless, async ({ headers, body, query }) => {
  handedHeaders = headers;
  logger.info('adopter debug: whole request', { headers, body, query });
  logger.info(`adopter debug: create for ${body.identifier?.[0]?.value}`);
  logger.warn('adopter debug: fields', { family: body.name?.[0]?.family, nhiValue: body.identifier?.[0]?.value });
  return { statusCode: 200, body: { resourceType: 'OperationOutcome', issue: [] } };
}, compiledAtRunTime(careless));

let s: SecurityStack;
let baseUrl: string;
beforeAll(async () => {
  s = await startSecurityStack();
  const routes: RouteBinding[] = [...s.stack.parts.routes, { route: careless, handler: carelessHandler }];
  ({ baseUrl } = await s.extraGateway({ routes }));
});
afterAll(() => s?.close());

describe('log redaction', () => {
  it('an endpoint that logs the whole request leaks no token, API key, client secret, NHI or name', async () => {
    const token = await s.token('clinical');
    const response = await s.call('/CarelessDebug', { baseUrl, method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(patientBody()) });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    // The careless lines were written (so the check below has something to find) …
    const lines = s.logs.records().filter((r) => String(r.message).startsWith('adopter debug'));
    expect(lines).toHaveLength(3);
    // … and hold none of the request's secrets, nor the NHI in lower case or the name in any case.
    expectNoSecretsLogged(s, [PATIENT_NHI.toLowerCase(), PATIENT_FAMILY.toUpperCase(), token.split('.')[1] as string]);
  });

  it('the endpoint is handed only the headers its route declares (none here): never the token or the API key', async () => {
    handedHeaders = undefined;
    const response = await s.call('/CarelessDebug', {
      baseUrl, method: 'POST', headers: { authorization: `Bearer ${await s.token('clinical')}`, 'x-custom': 'x' }, body: JSON.stringify(patientBody()),
    });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(handedHeaders).toEqual({});
  });
});
