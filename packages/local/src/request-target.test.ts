import fc from 'fast-check';
import { expect, it } from 'vitest';
import { requestTarget } from './request-target.js';

/** The WHATWG URL parser on the target after the gateway's origin, always (or its refusal). */
function parsed(target: string) {
  try {
    const url = new URL(`https://localhost${target}`);
    return { path: url.pathname, query: url.search === '' ? null : [...url.searchParams] };
  } catch (error) {
    return { error: (error as { code?: string }).code };
  }
}

function read(target: string) {
  try {
    const { path, query } = requestTarget(target);
    return { path, query: query && [...query] };
  } catch (error) {
    return { error: (error as { code?: string }).code };
  }
}

it('reads every target as the URL parser reads it after the origin, shortcut or not', () => {
  const characters = fc.constantFrom(...'/abcXYZ019_-~.%2e%2E?&=#\\:@+ é'.split(''), '/..', '/.', '//', '%2F', '%');
  fc.assert(fc.property(fc.array(characters, { maxLength: 24 }).map((parts) => `/${parts.join('')}`), (target) => {
    expect(read(target)).toEqual(parsed(target));
  }), { numRuns: 5000 });
});

it('resolves what a plain path must not contain through the parser', () => {
  expect(read('/v1/metadata')).toEqual({ path: '/v1/metadata', query: null });
  expect(read('/v1/Patient/abc-123.x')).toEqual({ path: '/v1/Patient/abc-123.x', query: null });
  expect(read('/v1/../v1/metadata').path).toBe('/v1/metadata');
  expect(read('/v1/%2e%2e/metadata').path).toBe('/metadata');
  // An empty first segment is a path, as API Gateway reads it, not a host: it names no route.
  expect(read('//evil.example/v1/metadata').path).toBe('//evil.example/v1/metadata');
  expect(read('//')).toEqual({ path: '//', query: null });
  expect(read('/v1\\metadata').path).toBe('/v1/metadata');
  expect(read('/v1/Patient?identifier=a%7Cb&_count=2')).toEqual({ path: '/v1/Patient', query: [['identifier', 'a|b'], ['_count', '2']] });
  expect(read('/v1/metadata?')).toEqual({ path: '/v1/metadata', query: null });
});
