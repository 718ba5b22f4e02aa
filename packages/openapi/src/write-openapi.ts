/** `npm run openapi`: writes docs/openapi.json from the route manifest (a test keeps it current). */
import { routeList } from '@health-api/functions';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openApiJson } from './index.js';

export const COMMITTED_DOCUMENT = fileURLToPath(new URL('../../../docs/openapi.json', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(COMMITTED_DOCUMENT, openApiJson(routeList));
  process.stdout.write(`wrote ${COMMITTED_DOCUMENT}\n`);
}
