import { DASHBOARD_PATH } from './dashboard/dashboard-page.js';
import { displayPath } from './dev-contract.js';
import type { LocalStack } from './stack.js';
import { senderConstraintSnippets } from './start-snippets.js';

/** What a newcomer needs to make a first call, with commands that work as printed. */
export function banner(stack: LocalStack, mtls = false): string {
  const ca = displayPath(stack.caCertFile);
  const clinical = stack.clients.clinical;
  const clients = Object.entries(stack.clients).map(([name, c]) =>
    `    ${name.padEnd(9)} client_id=${c.clientId}  client_secret=${c.clientSecret}  scope="${c.scope}"`);
  const app = stack.smartApp;
  return [
    '',
    'Local health API is running (Ctrl-C stops it).',
    `  API        ${stack.baseUrl}`,
    `  Issuer     ${stack.issuer}   token endpoint ${stack.tokenEndpoint}`,
    `  Audience   ${stack.audience}`,
    `  CA         ${ca}   (trust it with --cacert or NODE_EXTRA_CA_CERTS)`,
    `  Contract   ${displayPath(stack.devJsonFile)}`,
    `  Dashboard  ${new URL(stack.baseUrl).origin}${DASHBOARD_PATH}   (the functions' metrics, live; local only)`,
    '  API keys (header x-api-key)',
    ...Object.entries(stack.apiKeys).map(([name, value]) => `    ${name.padEnd(9)} ${value}`),
    '  System clients (client_credentials, HTTP Basic auth)',
    ...clients,
    `  Backend service (SMART Backend Services: client_credentials with a private_key_jwt ${stack.backendService.alg} assertion)`,
    `    client_id=${stack.backendService.clientId}  key=${displayPath(stack.backendService.keyFile)}  scope="${stack.backendService.scope}"`,
    `  SMART app  client_id=${app.clientId} (public, authorization code + PKCE S256) redirect_uri=${app.redirectUri}`,
    `             scopes: ${app.oidcScopes} ${app.smartScopes}`,
    `             development login: any user name that is a Patient id (it becomes the patient claim), any password`,
    '',
    'Try it (works on an empty store: create a Patient, then read it back):',
    `  curl --cacert ${ca} ${stack.baseUrl}/metadata`,
    `  TOKEN=$(curl -s --cacert ${ca} -u ${clinical.clientId}:${clinical.clientSecret} -d grant_type=client_credentials \\`,
    `    --data-urlencode "scope=${clinical.scope}" ${stack.tokenEndpoint} | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
    `  ID=$(curl -s --cacert ${ca} -H "x-api-key: ${stack.apiKeys.standard}" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/fhir+json' \\`,
    `    -d '{"resourceType":"Patient","name":[{"family":"Parata","given":["Aroha"]}]}' ${stack.baseUrl}/Patient | node -pe 'JSON.parse(require("fs").readFileSync(0)).id')`,
    `  curl --cacert ${ca} -H "x-api-key: ${stack.apiKeys.standard}" -H "Authorization: Bearer $TOKEN" ${stack.baseUrl}/Patient/$ID`,
    '',
    ...senderConstraintSnippets(stack, { mtls }),
    '',
  ].join('\n');
}
