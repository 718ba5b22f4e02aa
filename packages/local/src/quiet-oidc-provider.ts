/**
 * oidc-provider prints warnings meant for production deployments that the local issuer
 * deliberately ignores: this Node release (20, which every flow was verified on), its in-memory
 * store and its development login. They come through console.warn at import time, so this
 * module is imported before oidc-provider and drops exactly those lines; any other warning still
 * shows.
 */
const EXPECTED_DEV_WARNINGS = [
  'Unsupported runtime',
  'development-only in-memory adapter',
  'development-only feature devInteractions',
];
const ANSI = /\x1b\[[0-9;]*m/g; // eslint-disable-line no-control-regex

function isExpectedDevWarning(args: unknown[]): boolean {
  const [first] = args;
  if (typeof first !== 'string') return false;
  const text = first.replace(ANSI, '');
  return text.startsWith('oidc-provider WARNING:') && EXPECTED_DEV_WARNINGS.some((w) => text.includes(w));
}

const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (!isExpectedDevWarning(args)) warn(...args);
};
