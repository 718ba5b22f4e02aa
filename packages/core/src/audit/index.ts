export * from './audit-event.js';
export * from './hash-chain.js';
export * from './audit-trail.js';
