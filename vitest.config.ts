import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Handlers read their configuration from the environment on first use: one file, one process.
    pool: 'forks',
    // Quiet by default: the functions' log lines and the local gateway's access log stay off the
    // terminal unless LOG_TO_CONSOLE=1 (tests that read logs capture them: test/support/logs.ts).
    setupFiles: ['test/support/quiet-test-logs.ts'],
    onConsoleLog: (log) => (process.env.LOG_TO_CONSOLE === '1' || !log.startsWith('{') ? undefined : false),
    // The AWS SDK's notice that its 2027 releases need Node 22 says nothing about a test (the
    // functions target nodejs22.x already); printed once per process, it buried the results.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // One DynamoDB Local JVM for the run; each test's stack takes a database of its own in it.
    globalSetup: ['test/support/local-dynamodb.global.ts'],
    // The offline infra synth imports a 1 MB bundle from .sst/platform: Node loads it, not Vite.
    server: { deps: { external: [/\/\.sst\/platform\//] } },
  },
});
