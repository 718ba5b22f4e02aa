/**
 * National Health Index numbers (HISO 10046:2023). Two formats are valid side by side:
 * `AAANNNC` (the original, a mod 11 check digit) and `AAANNAX` (from 2025, a mod 23 check letter).
 * Letters I and O are never used, so that they cannot be mistaken for 1 and 0.
 */

/** The NHI naming system, as used in `Identifier.system`. */
export const NHI_SYSTEM = 'https://standards.digital.health.nz/ns/nhi-id';

/** NHI letters in order; a letter's value is its position plus one (A=1 … Z=24). */
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const OLD_FORMAT = /^[A-HJ-NP-Z]{3}[0-9]{4}$/;
const NEW_FORMAT = /^[A-HJ-NP-Z]{3}[0-9]{2}[A-HJ-NP-Z]{2}$/;

const value = (char: string): number => (/[0-9]/.test(char) ? Number(char) : LETTERS.indexOf(char) + 1);

/** Sum of the first six characters multiplied by the weights 7, 6, 5, 4, 3, 2. */
function weightedSum(nhi: string): number {
  let sum = 0;
  for (let i = 0; i < 6; i += 1) sum += value(nhi[i] as string) * (7 - i);
  return sum;
}

/** The check character the first six characters call for, or undefined when none can be valid. */
export function nhiCheckCharacter(firstSix: string): string | undefined {
  const sum = weightedSum(firstSix);
  if (/[0-9]/.test(firstSix[5] as string)) {
    const remainder = sum % 11;
    if (remainder === 0) return undefined; // the standard excludes these numbers
    return String((11 - remainder) % 10);
  }
  return LETTERS[23 - (sum % 23) - 1];
}

/** The NHI in its stored form (upper case) when it is valid, else undefined. */
export function normaliseNhi(input: string): string | undefined {
  const nhi = input.toUpperCase();
  if (!OLD_FORMAT.test(nhi) && !NEW_FORMAT.test(nhi)) return undefined;
  return nhiCheckCharacter(nhi.slice(0, 6)) === nhi[6] ? nhi : undefined;
}

export const isValidNhi = (input: string): boolean => normaliseNhi(input) !== undefined;
