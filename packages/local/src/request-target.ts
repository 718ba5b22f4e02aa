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
 * which resolves dot segments and percent-encodes. A target in origin form (`/path?query`, RFC
 * 9112 §3.2.1) is read after our origin, so `//x/…` stays a path, as API Gateway reads it, and
 * is never taken for a host; one the parser refuses (an absolute form it cannot read) is kept
 * as sent and names no route.
 */
export function requestTarget(target = '/'): RequestTarget {
  if (PLAIN_PATH.test(target)) return { path: target, query: null };
  const url = URL.parse(target.startsWith('/') ? `https://localhost${target}` : target);
  if (!url) return { path: target, query: null };
  return { path: url.pathname, query: url.search === '' ? null : url.searchParams };
}
