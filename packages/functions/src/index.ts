export * from './routes.js';
export { capabilityStatement } from './capability-statement.js';
