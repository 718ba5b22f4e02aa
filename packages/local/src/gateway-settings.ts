import type { GatewayConfig, UsagePlan } from '@health-api/core';
import { gatewayConfig } from '@health-api/core';

export type UsagePlanName = keyof GatewayConfig['usagePlans'];

/** Changes to the shared gateway config, e.g. tiny throttles and quotas for tests. */
export interface GatewayConfigOverrides {
  usagePlans?: Partial<Record<UsagePlanName, Partial<UsagePlan>>>;
  stageThrottle?: Partial<GatewayConfig['stageThrottle']>;
  waf?: Partial<GatewayConfig['waf']>;
  limits?: Partial<GatewayConfig['limits']>;
}

/** The shared `gatewayConfig` (the one the infra deploys) with `overrides` applied. */
export function gatewaySettings(overrides: GatewayConfigOverrides = {}): GatewayConfig {
  const plans = Object.fromEntries(Object.entries(gatewayConfig.usagePlans).map(([name, plan]) => {
    const override = overrides.usagePlans?.[name as UsagePlanName] ?? {};
    return [name, {
      ...plan,
      ...override,
      throttle: { ...plan.throttle, ...override.throttle },
      quota: { ...plan.quota, ...override.quota },
    }];
  })) as GatewayConfig['usagePlans'];
  return {
    usagePlans: plans,
    stageThrottle: { ...gatewayConfig.stageThrottle, ...overrides.stageThrottle },
    waf: { ...gatewayConfig.waf, ...overrides.waf },
    limits: { ...gatewayConfig.limits, ...overrides.limits },
  };
}
