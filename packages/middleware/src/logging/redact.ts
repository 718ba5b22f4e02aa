/**
 * Log redaction, applied by the Logger's `jsonReplacerFn` to every key and value it prints.
 * There is no Powertools data-masking package for TypeScript, so this is the one place that
 * decides what never reaches a log: credentials, bodies and patient identifiers.
 */

export const REDACTED = '[REDACTED]';

/** Keys whose values are never logged, whatever they hold. */
const SECRET_KEY = /authori[sz]ation|token|secret|password|passwd|cookie|api[-_]?key|x-api-key|credential|signature|^body$|^rawbody$|payload|^name$|^given$|^family$|birth|telecom|address|identifier|^nhi$|^text$|^div$/i;

/** Values that look like secrets or identifiers, wherever they appear. */
const SECRET_VALUE: RegExp[] = [
  /\bbearer\s+\S+/gi, // an Authorization value
  /\beyJ[\w-]*\.[\w-]*\.?[\w-]*/g, // a JWT or JWS, even when truncated
  /\b[A-HJ-NP-Z]{3}\d{2}(?:\d{2}|[A-HJ-NP-Z]{2})\b/gi, // an NHI, either format
  // Long opaque strings (API keys, secrets, hashes): letters and digits mixed, so that long
  // words such as exception names stay readable.
  /\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{30,}\b/g,
];

export function redactString(value: string): string {
  let out = value;
  for (const pattern of SECRET_VALUE) out = out.replace(pattern, REDACTED);
  return out;
}

/** The `jsonReplacerFn` given to every Logger. */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key !== '' && SECRET_KEY.test(key) && value !== null && value !== undefined) return REDACTED;
  if (typeof value === 'string') return redactString(value);
  return value;
}
