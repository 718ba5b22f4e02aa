/** The path and query of a request line's target, as the WHATWG URL parser reads them. */
export interface RequestTarget {
  path: string;
  /** Null without a `?`. */
  query: URLSearchParams | null;
}

/**
 * Segments of characters the URL parser keeps as they are (no percent-encoding, no `\`), none
 * empty or starting with a dot (so no `//` authority and no `.`/`..` segment to resolve),
 * optionally ending in `/`: for such a target the parsed path is the target itself.
 */
const PLAIN_PATH = /^(?:\/[\w~-][\w.~-]*)*\/?$/;

/**
 * The common target (a plain path, no query) is taken as it is; any other goes through `URL`,
 * which resolves dot segments, percent-encodes, and reads `//host/…` as an authority.
 */
export function requestTarget(target: string | undefined): RequestTarget {
  if (target !== undefined && PLAIN_PATH.test(target)) return { path: target, query: null };
  const url = new URL(target ?? '/', 'https://localhost');
  return { path: url.pathname, query: url.search === '' ? null : url.searchParams };
}
