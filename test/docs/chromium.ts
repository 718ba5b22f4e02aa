import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's chromium: the browser the docs test drives (playwright-core downloads no browser). */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, offline headless run as root in a container: nothing phones home. */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** A font so the screenshot shows text on a bare image too. */
const PACKAGES = ['chromium', 'fonts-dejavu-core'];

const apt = (...args: string[]) => execFileSync('apt-get', args, {
  stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
});

/**
 * Installs Debian's chromium when it is missing, so a fresh machine or CI needs no manual step.
 * The package lists may be stale or absent on a new machine: on failure, refresh them and retry.
 */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  try {
    apt('install', '-y', '--no-install-recommends', ...PACKAGES);
  } catch {
    apt('update');
    apt('install', '-y', '--no-install-recommends', ...PACKAGES);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is missing`);
  return CHROMIUM;
}
