/* eslint-disable @typescript-eslint/triple-slash-reference -- SST generates its globals as a reference file */
/// <reference path="./.sst/platform/config.d.ts" />

export default $config({
  app(input) {
    return {
      name: 'secure-health-api',
      home: 'aws',
      removal: input?.stage === 'production' ? 'retain' : 'remove',
      protect: input?.stage === 'production',
    };
  },
  async run() {
    await import('./infra/api');
  },
});
