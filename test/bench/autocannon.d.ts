/** The part of autocannon 8's API the bench uses (the package ships no types). */
declare module 'autocannon' {
  interface Histogram { average: number; mean: number; p50: number; p99: number; total: number }
  interface Options {
    url: string;
    connections: number;
    duration: number;
    pipelining?: number;
    workers?: number;
    headers?: Record<string, string>;
    servername?: string;
    tlsOptions?: Record<string, unknown>;
  }
  interface Result {
    requests: Histogram;
    latency: Histogram;
    non2xx: number;
    errors: number;
    timeouts: number;
    statusCodeStats: Record<string, { count: number }>;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
