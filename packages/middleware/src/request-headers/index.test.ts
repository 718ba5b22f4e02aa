import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { proxyEvent } from '../../../../test/support/events.js';
import { normaliseHeaders } from './index.js';

describe('header normaliser', () => {
  it('merges every spelling of a name from both maps, in order, so both maps agree', () => {
    const event = proxyEvent({ headers: { 'Content-Type': 'application/fhir+json', 'content-type': ['text/plain', 'text/html'], Accept: '*/*' } });
    normaliseHeaders(event);
    expect(event.multiValueHeaders).toEqual({ 'content-type': ['application/fhir+json', 'text/plain', 'text/html'], accept: ['*/*'] });
    expect(event.headers).toEqual({ 'content-type': 'application/fhir+json, text/plain, text/html', accept: '*/*' });
  });

  it('takes a name only the single-value map carries (API Gateway leaves the multi-value map out of some events)', () => {
    const event = proxyEvent({ headers: { 'X-One': 'a' } });
    event.multiValueHeaders = { 'If-Match': ['W/"1"'] };
    event.headers = { 'If-Match': 'W/"2"', 'X-One': 'a', 'x-one': 'b' };
    normaliseHeaders(event);
    // The multi-value map is complete for a name it has; its single-value copy is not a second value.
    expect(event.multiValueHeaders).toEqual({ 'if-match': ['W/"1"'], 'x-one': ['a', 'b'] });
    expect(event.headers).toEqual({ 'if-match': 'W/"1"', 'x-one': 'a, b' });
  });

  it('leaves empty maps for an event without headers', () => {
    const event = proxyEvent();
    event.headers = null as never;
    event.multiValueHeaders = null as never;
    normaliseHeaders(event);
    expect([event.headers, event.multiValueHeaders]).toEqual([{}, {}]);
  });

  it('keeps a header named __proto__ as a header, never as the prototype of either map', () => {
    const event = proxyEvent();
    event.multiValueHeaders = Object.fromEntries([['__proto__', ['x']]]);
    event.headers = Object.fromEntries([['__Proto__', 'y']]);
    normaliseHeaders(event);
    expect(Object.entries(event.multiValueHeaders)).toEqual([['__proto__', ['x']]]);
    expect(Object.entries(event.headers)).toEqual([['__proto__', 'x']]);
    expect([Object.getPrototypeOf(event.multiValueHeaders), Object.getPrototypeOf(event.headers)]).toEqual([Object.prototype, Object.prototype]);
  });

  it('gives every name the values RFC 9110 says it has, whatever the spellings, gaps and order of the two maps', () => {
    const name = fc.constantFrom('Accept', 'accept', 'ACCEPT', 'X-One', 'x-one', 'If-Match', '__proto__', 'constructor');
    const value = fc.constantFrom('a', 'b, c', '', 'W/"1"');
    const multiMap = fc.array(fc.tuple(name, fc.option(fc.array(fc.option(value, { nil: undefined }), { maxLength: 3 }), { nil: undefined })), { maxLength: 5 });
    const singleMap = fc.array(fc.tuple(name, fc.option(value, { nil: undefined })), { maxLength: 5 });
    fc.assert(fc.property(fc.option(multiMap, { nil: null }), fc.option(singleMap, { nil: null }), (multi, single) => {
      const event = proxyEvent();
      event.multiValueHeaders = (multi && Object.fromEntries(multi)) as never;
      event.headers = (single && Object.fromEntries(single)) as never;
      // What the maps say, read the slow, obvious way: each lower-case name, first seen first.
      const multiPairs = Object.entries(event.multiValueHeaders ?? {});
      const singlePairs = Object.entries(event.headers ?? {});
      const fromMulti = new Set(multiPairs.map(([key]) => key.toLowerCase()));
      const names = [...new Set([...multiPairs, ...singlePairs].map(([key]) => key.toLowerCase()))];
      const sent = (lower: string): (string | undefined)[] => (fromMulti.has(lower)
        ? multiPairs.filter(([key]) => key.toLowerCase() === lower).flatMap(([, list]) => list ?? [])
        : singlePairs.filter(([key]) => key.toLowerCase() === lower).map(([, one]) => one));
      const expected = names
        .map((lower): [string, string[]] => [lower, sent(lower).filter((one): one is string => one !== undefined)])
        .filter(([, list]) => list.length > 0);
      normaliseHeaders(event);
      expect(Object.entries(event.multiValueHeaders)).toEqual(expected);
      expect(Object.entries(event.headers)).toEqual(expected.map(([lower, list]) => [lower, list.join(', ')]));
      expect(Object.getPrototypeOf(event.headers)).toBe(Object.prototype);
    }), { numRuns: 2000 });
  });
});
