import { Logger } from '@aws-lambda-powertools/logger';
import { redactingReplacer } from './redact.js';

/**
 * The one Logger of a function container. Everything it prints goes through the redacting
 * replacer, including errors and keys added by business code.
 */
export const logger = new Logger({
  serviceName: process.env.SERVICE_NAME ?? 'secure-health-api',
  jsonReplacerFn: redactingReplacer,
});

export type SecurityEventType = 'authentication' | 'authorisation' | 'validation' | 'request-guard';

/** A security event line: what failed and why, with the client when known; never the input. */
export function logSecurityEvent(eventType: SecurityEventType, reasonCode: string, clientId?: string): void {
  logger.warn('security event', { securityEvent: { eventType, reasonCode, ...(clientId ? { clientId } : {}) } });
}
