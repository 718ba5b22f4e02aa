export * from './secure-handler.js';
export { logger } from './logging/logger.js';
export type { AuthContext } from './jwt-auth/auth-context.js';
export type { ScopeGrant, ScopeContext } from './smart-scopes/parse.js';
export { grantsFor } from './smart-scopes/parse.js';
export type { CompiledValidator, RouteValidators, ValidatorsLoader } from './request-validation/compiled-validator.js';
export { SECURITY_HEADERS } from './response-headers/index.js';
export { eventSchema } from './request-validation/event-schema.js';
