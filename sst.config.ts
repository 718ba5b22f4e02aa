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
    await import('./infra/data');
    const { issuer } = await import('./infra/auth');
    const { api, usagePlans } = await import('./infra/api');
    await import('./infra/waf');
    const { alarmTopic } = await import('./infra/monitoring');
    await import('./infra/dashboard');
    return {
      url: api.url,
      issuer: issuer.issuer,
      // Only with the Cognito issuer: its token endpoint and app client ids.
      ...(issuer.clients ? { tokenEndpoint: issuer.tokenEndpoint, clientIds: issuer.clients } : {}),
      apiKeyIds: Object.fromEntries(Object.entries(usagePlans).map(([name, plan]) => [name, plan.apiKeyId])),
      alarmTopic: alarmTopic.arn,
    };
  },
});
