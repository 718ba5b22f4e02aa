/**
 * The FHIR R4 search syntax this API reads (https://hl7.org/fhir/R4/search.html): prefixes of
 * ordered values, tokens and comma-separated OR lists with their escapes.
 */

/** Prefixes of ordered values (https://hl7.org/fhir/R4/search.html#prefix). */
export const DATE_PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
export type DatePrefix = (typeof DATE_PREFIXES)[number];

/** A token: `system|code`, `code` (any system: `system` absent), `|code` (no system: ''), `system|` (any code: `code` absent). */
export interface Token {
  system?: string;
  code?: string;
}

/** Splits on the separator where it is not escaped by a backslash. */
function splitUnescaped(text: string, separator: ',' | '|'): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string;
    if (char === '\\' && i + 1 < text.length) {
      current += char + (text[i + 1] as string);
      i += 1;
    } else if (char === separator) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

const unescape = (text: string) => text.replace(/\\([\\,|$])/g, '$1');

/** The values of an OR list (`a,b,c`), each still escaped. */
export const orValues = (parameter: string): string[] => splitUnescaped(parameter, ',');

/** One token value, unescaped; undefined when it has more than one unescaped bar or is empty. */
export function parseToken(value: string): Token | undefined {
  const parts = splitUnescaped(value, '|');
  if (parts.length > 2) return undefined;
  if (parts.length === 1) return parts[0] === '' ? undefined : { code: unescape(parts[0] as string) };
  const [system = '', code = ''] = parts.map(unescape);
  if (system === '' && code === '') return undefined;
  return { system, ...(code === '' ? {} : { code }) };
}
