export * from './audit-event.js';
export * from './hash-chain.js';
