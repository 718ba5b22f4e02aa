/**
 * The Java runtime DynamoDB Local runs on. When `java` is missing (a fresh CI machine), the local
 * stack installs Debian's default headless JRE itself, as root, so `npm ci && npm start` (or
 * `npm test`) needs nothing else; without root or apt-get it stops with what to install.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** DynamoDB Local 3.x is built for Java 17 (class file version 61). */
export const MIN_JAVA_MAJOR = 17;
const DEBIAN_PACKAGE = 'default-jre-headless';

/** `java` of JAVA_HOME when set, else the one on PATH. */
export function javaCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** The major version `java -version` reports (`17.0.15` → 17, `1.8.0_392` → 8); undefined when it does not run. */
export function javaMajorVersion(command: string): number | undefined {
  // `java -version` writes its banner to stderr.
  const run = spawnSync(command, ['-version'], { encoding: 'utf8', timeout: 30_000 });
  return run.status === 0 ? parseJavaMajor(`${run.stderr}${run.stdout}`) : undefined;
}

export function parseJavaMajor(banner: string): number | undefined {
  const version = /version "([^"]+)"/.exec(banner)?.[1];
  if (!version) return undefined;
  const [first, second] = version.split(/[.+_-]/).map(Number);
  return first === 1 ? second : first;
}

function runs(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

function installDebianJre(): void {
  const apt = (...args: string[]) => execFileSync('apt-get', args, {
    stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  console.error(`DynamoDB Local needs Java ${MIN_JAVA_MAJOR}+: installing Debian's ${DEBIAN_PACKAGE} with apt-get (once)…`);
  apt('update', '-qq');
  apt('install', '-y', '-qq', '--no-install-recommends', DEBIAN_PACKAGE);
}

const canInstall = () => process.platform === 'linux' && process.getuid?.() === 0 && runs('apt-get', ['--version']);

let ready: string | undefined;

/**
 * The java command to start DynamoDB Local with, installing the JRE first when it is missing and
 * this process may (root on Debian). Throws a message that says what to install otherwise.
 */
export function ensureJava(): string {
  if (ready) return ready;
  const command = javaCommand();
  let major = javaMajorVersion(command);
  if ((major === undefined || major < MIN_JAVA_MAJOR) && !process.env.JAVA_HOME && canInstall()) {
    installDebianJre();
    major = javaMajorVersion(command);
  }
  if (major === undefined || major < MIN_JAVA_MAJOR) {
    throw new Error(`The local stack runs AWS's DynamoDB Local, which needs Java ${MIN_JAVA_MAJOR} or later; found ${major === undefined ? `no working ${command}` : `Java ${major}`}. `
      + `Install a JRE (Debian/Ubuntu: sudo apt-get install ${DEBIAN_PACKAGE}; macOS: brew install openjdk@17) or point JAVA_HOME at one.`);
  }
  ready = command;
  return command;
}
