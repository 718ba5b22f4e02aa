import { createHash } from 'node:crypto';
import type { AuthContext } from './jwt-auth/auth-context.js';

/**
 * The caller as what is bound to them sees it (idempotency keys and results, search cursors):
 * client, subject and patient context, hashed, so another caller's key or cursor never matches.
 */
export function callerBinding(auth: Pick<AuthContext, 'clientId' | 'subject' | 'patient'> | undefined): string {
  return createHash('sha256').update(JSON.stringify([auth?.clientId ?? '', auth?.subject ?? '', auth?.patient ?? ''])).digest('base64url');
}
