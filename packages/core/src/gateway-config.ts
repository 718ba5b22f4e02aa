/**
 * API Gateway behaviour in one place: usage plans, stage limits, the WAF rate rule and IP
 * lists. The SST infra declares these on the deployed API; the local gateway enforces the same
 * numbers. Responses never reveal them.
 */

export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

export interface Throttle {
  /** Steady requests per second (token-bucket refill rate). */
  rateLimit: number;
  /** Bucket size: requests allowed at once. */
  burstLimit: number;
}

export interface UsagePlan {
  description: string;
  throttle: Throttle;
  quota: { limit: number; period: QuotaPeriod };
}

export interface GatewayConfig {
  usagePlans: Record<'standard' | 'partner', UsagePlan>;
  /** Stage-wide default method throttle, applied before any plan. */
  stageThrottle: Throttle;
  waf: {
    /** Requests one source IP may make per evaluation window before WAF blocks it. */
    ratePerIp: number;
    windowSeconds: 60 | 120 | 300 | 600;
    /** Largest body WAF lets through to the gateway, in bytes. */
    maxBodyBytes: number;
    allowIps: string[];
    denyIps: string[];
  };
  /** Fixed API Gateway REST limits the local gateway reproduces. */
  limits: {
    maxPayloadBytes: number;
    maxHeaderBytes: number;
    integrationTimeoutMs: number;
    maxResponseBytes: number;
  };
}

export const gatewayConfig: GatewayConfig = {
  usagePlans: {
    standard: {
      description: 'Clinical applications',
      throttle: { rateLimit: 50, burstLimit: 100 },
      quota: { limit: 100_000, period: 'DAY' },
    },
    partner: {
      description: 'Integration partners with higher volume',
      throttle: { rateLimit: 200, burstLimit: 400 },
      quota: { limit: 1_000_000, period: 'DAY' },
    },
  },
  stageThrottle: { rateLimit: 500, burstLimit: 1000 },
  waf: { ratePerIp: 2000, windowSeconds: 300, maxBodyBytes: 64 * 1024, allowIps: [], denyIps: [] },
  limits: {
    maxPayloadBytes: 10 * 1024 * 1024,
    maxHeaderBytes: 10_240,
    integrationTimeoutMs: 29_000,
    maxResponseBytes: 6 * 1024 * 1024,
  },
};
