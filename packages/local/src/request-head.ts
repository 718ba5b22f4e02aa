import { setOwn } from '@health-api/core';
import type { IncomingMessage } from 'node:http';

/** The request line and headers, read in one pass over the raw headers (Node's `headers` object is never built). */
export interface RequestHead {
  /** Header names as the client wrote them, each with every value it sent, in order. */
  multiValueHeaders: Record<string, string[]>;
  /** Each name's last value: API Gateway's single-value view. */
  headers: Record<string, string>;
  /** Bytes of the request line and headers, as API Gateway counts them against its limit. */
  bytes: number;
  /**
   * Whether a body follows: only a request with `Content-Length` or `Transfer-Encoding` has one
   * (RFC 9112 §6.3), so a GET without them is answered without reading its stream.
   */
  hasBody: boolean;
}

export function readHead(request: IncomingMessage): RequestHead {
  const raw = request.rawHeaders;
  const multiValueHeaders: Record<string, string[]> = {};
  const headers: Record<string, string> = {};
  // `<method> <url> HTTP/<version>\r\n`, then `<name>: <value>\r\n` per header.
  let hasBody = false;
  let bytes = Buffer.byteLength(request.method ?? '') + Buffer.byteLength(request.url ?? '') + request.httpVersion.length + 9;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value) + 4;
    if (Object.hasOwn(multiValueHeaders, name)) (multiValueHeaders[name] as string[]).push(value);
    else setOwn(multiValueHeaders, name, [value]);
    setOwn(headers, name, value);
    if (!hasBody && (name.length === 14 || name.length === 17)) hasBody = /^(content-length|transfer-encoding)$/i.test(name);
  }
  return { multiValueHeaders, headers, bytes, hasBody };
}

/** Every value of a header, whatever the case of its name, in the order sent. */
export function headerValues(request: IncomingMessage, lowerCaseName: string): string[] {
  const raw = request.rawHeaders;
  const values: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === lowerCaseName.length && name.toLowerCase() === lowerCaseName) values.push(raw[i + 1] as string);
  }
  return values;
}
