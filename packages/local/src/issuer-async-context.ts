import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import issuerRequestContext from 'oidc-provider/lib/helpers/als.js';

/**
 * oidc-provider runs each of its requests in an AsyncLocalStorage. On Node 20 its first `run`
 * turns async_hooks promise hooks on for the whole process and nothing turns them off: from then
 * on every promise of the gateway and the handlers pays for them (a hook call per promise
 * created, settled and awaited), though in AWS the issuer is another service and the functions'
 * processes have no such hook. So the storage is switched off whenever no issuer request is in
 * flight; the next issuer request switches it on again (`run` does), so the issuer's own
 * requests keep their context. Registered before the provider's handler.
 */
export function confineIssuerContext(server: Server): void {
  let inFlight = 0;
  server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
    inFlight += 1;
    response.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) issuerRequestContext.disable();
    });
  });
}
