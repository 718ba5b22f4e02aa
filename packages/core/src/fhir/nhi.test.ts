import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidNhi, nhiCheckCharacter, normaliseNhi } from './nhi.js';

const LETTERS = [...'ABCDEFGHJKLMNPQRSTUVWXYZ'];
const letter = fc.constantFrom(...LETTERS);
const digit = fc.constantFrom(...'0123456789');
const oldPrefix = fc.tuple(letter, letter, letter, digit, digit, digit).map((c) => c.join(''));
const newPrefix = fc.tuple(letter, letter, letter, digit, digit, letter).map((c) => c.join(''));

describe('NHI (HISO 10046:2023)', () => {
  it.each(['ZAC5361', 'JBX3656', 'ZBN77VL', 'ZZZ00AC', 'ZSC21TN'])('accepts the standard vector %s', (nhi) => {
    expect(normaliseNhi(nhi)).toBe(nhi);
  });

  it.each(['ZZZ0044', 'ZZZ00AA', 'ZIO1234'])('refuses the standard vector %s', (nhi) => {
    expect(isValidNhi(nhi)).toBe(false);
  });

  it.each(['', 'ZAC536', 'ZAC53611', 'ZAC 5361', 'ZAC536I', '1AC5361', 'ZA15361', 'ZBN77V1', 'ZAC5361\n', 'ＺAC5361'])('refuses the malformed %j', (nhi) => {
    expect(isValidNhi(nhi)).toBe(false);
  });

  it('accepts lower case and stores upper case', () => {
    expect(normaliseNhi('zbn77vl')).toBe('ZBN77VL');
    expect(normaliseNhi('zac5361')).toBe('ZAC5361');
  });

  it('property: a number built with its check character is valid, in either case', () => {
    fc.assert(fc.property(fc.oneof(oldPrefix, newPrefix), (prefix) => {
      const check = nhiCheckCharacter(prefix);
      fc.pre(check !== undefined);
      const nhi = `${prefix}${check}`;
      expect(normaliseNhi(nhi)).toBe(nhi);
      expect(normaliseNhi(nhi.toLowerCase())).toBe(nhi);
    }));
  });

  it('property: any other check character is refused', () => {
    fc.assert(fc.property(fc.oneof(oldPrefix, newPrefix), fc.constantFrom(...LETTERS, ...'0123456789'), (prefix, other) => {
      fc.pre(other !== nhiCheckCharacter(prefix));
      expect(isValidNhi(`${prefix}${other}`)).toBe(false);
    }));
  });

  it('property: a single changed character in a valid number is caught', () => {
    fc.assert(fc.property(oldPrefix, fc.integer({ min: 0, max: 5 }), digit, (prefix, position, replacement) => {
      const check = nhiCheckCharacter(prefix);
      fc.pre(check !== undefined && /[0-9]/.test(prefix[position] as string) && prefix[position] !== replacement);
      const changed = `${prefix.slice(0, position)}${replacement}${prefix.slice(position + 1)}${check}`;
      expect(isValidNhi(changed)).toBe(false);
    }));
  });

  it('property: letters I and O are never accepted anywhere', () => {
    fc.assert(fc.property(fc.oneof(oldPrefix, newPrefix), fc.integer({ min: 0, max: 6 }), fc.constantFrom('I', 'O', 'i', 'o'), (prefix, position, bad) => {
      const nhi = `${prefix}${nhiCheckCharacter(prefix) ?? '0'}`;
      expect(isValidNhi(`${nhi.slice(0, position)}${bad}${nhi.slice(position + 1)}`)).toBe(false);
    }));
  });

  it('property: arbitrary strings never throw and are valid only in the NHI shape', () => {
    fc.assert(fc.property(fc.string({ maxLength: 12, unit: 'grapheme' }), (input) => {
      if (isValidNhi(input)) expect(input.toUpperCase()).toMatch(/^[A-HJ-NP-Z]{3}\d{2}[0-9A-HJ-NP-Z]{2}$/);
    }));
  });
});
