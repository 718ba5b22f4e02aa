/**
 * autocannon 8 typed for what the load run uses: request sequences with per-connection context,
 * a fixed overall rate, and bounds on time and count. (The package ships no types; the bench's
 * declaration covers its own narrower use.)
 */
import untyped from 'autocannon';

export interface RequestContext { [key: string]: unknown }

export interface SequenceRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: SequenceRequest, context: RequestContext) => SequenceRequest;
  onResponse?: (status: number, body: string, context: RequestContext, headers: Record<string, string>) => void;
}

export interface CannonOptions {
  url: string;
  servername: string;
  headers: Record<string, string>;
  connections: number;
  /** Seconds; ignored by autocannon when `amount` is given. */
  duration: number;
  requests: SequenceRequest[];
  overallRate?: number;
  maxOverallRequests?: number;
  amount?: number;
  /** Seconds before a request counts as a timeout. */
  timeout: number;
  /** Worker threads to run in (requests then take no callbacks). */
  workers?: number;
}

export interface CannonResult {
  duration: number;
  latency: { p50: number; p99: number };
  statusCodeStats: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
}

export const autocannon = untyped as unknown as (options: CannonOptions) => Promise<CannonResult>;
