/**
 * What `npm start` prints for the clients that prove who they are with a key or a certificate
 * instead of a shared secret: commands that work as printed from the repository root.
 */
import { displayPath } from './dev-contract.js';
import type { LocalStack } from './stack.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** private_key_jwt (RFC 7523): a client assertion signed with the backend service's key, made with jose. */
function privateKeyJwtSnippet(stack: LocalStack, ca: string): string[] {
  const { clientId, alg, keyFile, scope } = stack.backendService;
  const sign = `import{SignJWT,importJWK}from"jose";import{readFileSync}from"node:fs";const k=JSON.parse(readFileSync("${displayPath(keyFile)}","utf8"));`
    + `console.log(await new SignJWT({}).setProtectedHeader({alg:"${alg}",kid:k.kid,typ:"JWT"}).setIssuer("${clientId}").setSubject("${clientId}")`
    + `.setAudience("${stack.tokenEndpoint}").setJti(crypto.randomUUID()).setIssuedAt().setExpirationTime("5m").sign(await importJWK(k,"${alg}")))`;
  return [
    `  Backend service token (private_key_jwt: no shared secret; add a DPoP header for a DPoP-bound token, see the README):`,
    `  ASSERTION=$(node --input-type=module -e '${sign}')`,
    `  TOKEN=$(curl -s --cacert ${ca} -d grant_type=client_credentials -d client_assertion_type=${JWT_BEARER} \\`,
    `    --data-urlencode "client_assertion=$ASSERTION" --data-urlencode "scope=${scope}" ${stack.tokenEndpoint} | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
  ];
}

/** tls_client_auth + a certificate-bound token (RFC 8705), then a call over the same certificate. */
function mtlsSnippet(stack: LocalStack, ca: string): string[] {
  const { clientId, scope, certFile, keyFile } = stack.certificateBoundService;
  const cert = `--cert ${displayPath(certFile)} --key ${displayPath(keyFile)}`;
  return [
    `  Certificate-bound token (mutual TLS: the client certificate authenticates and the token is bound to it):`,
    `  TOKEN=$(curl -s --cacert ${ca} ${cert} -d grant_type=client_credentials -d client_id=${clientId} \\`,
    `    --data-urlencode "scope=${scope}" ${stack.tokenEndpoint} | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
    `  curl --cacert ${ca} ${cert} -H "x-api-key: ${stack.apiKeys.standard}" -H "Authorization: Bearer $TOKEN" "${stack.baseUrl}/Patient?identifier=ZAC5361"`,
  ];
}

export function senderConstraintSnippets(stack: LocalStack, options: { mtls: boolean }): string[] {
  const ca = displayPath(stack.caCertFile);
  return [...privateKeyJwtSnippet(stack, ca), ...(options.mtls ? mtlsSnippet(stack, ca) : [])];
}
