/**
 * One JSON line per request with API Gateway's access-log fields. Only ids, the route template,
 * the status and timings: never the concrete path (it holds patient ids), headers, tokens,
 * API key values or bodies.
 */
export interface AccessLogRecord {
  requestId: string;
  ip: string;
  requestTime: string;
  httpMethod: string;
  /** The matched route template, e.g. `/v1/Patient/{id}`; absent when nothing matched. */
  resourcePath: string | null;
  status: number;
  protocol: string;
  responseLength: number;
  /** Milliseconds from request received to response sent. */
  responseLatency: number;
  /** Milliseconds spent in the handler, when it was called. */
  integrationLatency: number | null;
  apiKeyId: string | null;
  /** OAuth client of a token the handler accepted. */
  clientId: string | null;
  /** `BLOCK` when the WAF-like rules refused the request. */
  wafResponseCode: 'BLOCK' | null;
  /** The gateway response type when the gateway itself answered (THROTTLED, QUOTA_EXCEEDED, …). */
  errorResponseType: string | null;
}

export type LogSink = (line: string) => void;

/** Writes to stdout, where a developer (or a log shipper) reads it. */
export const consoleSink: LogSink = (line) => console.log(line);

export function writeAccessLog(sink: LogSink, record: AccessLogRecord): void {
  sink(JSON.stringify(record));
}
