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
});
