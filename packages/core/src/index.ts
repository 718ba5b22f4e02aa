export * from './errors.js';
export * from './route.js';
export * from './config.js';
export * from './gateway-config.js';
export * from './tables.js';
