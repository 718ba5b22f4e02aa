import { describe, expect, it } from 'vitest';
import { orValues, parseToken } from './search-syntax.js';

describe('FHIR token syntax', () => {
  it.each([
    ['code', { code: 'code' }],
    ['http://loinc.org|8867-4', { system: 'http://loinc.org', code: '8867-4' }],
    ['|local', { system: '', code: 'local' }],
    ['http://loinc.org|', { system: 'http://loinc.org' }],
    ['a\\|b', { code: 'a|b' }],
    ['urn:x|a\\,b', { system: 'urn:x', code: 'a,b' }],
    ['a\\\\|b', { system: 'a\\', code: 'b' }],
  ])('reads %s', (value, token) => {
    expect(parseToken(value)).toEqual(token);
  });

  it.each(['', '|', 'a|b|c', 'x\\||y|z'])('calls %j malformed', (value) => {
    expect(parseToken(value)).toBeUndefined();
  });

  it('splits OR lists on commas that are not escaped', () => {
    expect(orValues('a,b\\,c,|d')).toEqual(['a', 'b\\,c', '|d']);
    expect(orValues('a,')).toEqual(['a', '']);
  });
});
