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

/** Every value pattern applied, whatever the string holds. */
export function redactEverywhere(value: string): string {
  let out = value;
  for (const pattern of SECRET_VALUE) out = out.replace(pattern, REDACTED);
  return out;
}

const isDigit = (code: number) => code >= 48 && code <= 57;
/** A letter an NHI may hold: ASCII, either case, not I or O (the patterns are not Unicode-aware). */
const isNhiLetter = (code: number) => {
  const lower = code | 0x20;
  return lower >= 97 && lower <= 122 && lower !== 105 && lower !== 111;
};
const isAsciiLetter = (code: number) => (code | 0x20) >= 97 && (code | 0x20) <= 122;

/** `bearer` as lower-case codes; `code | 0x20` lowers an ASCII letter and makes no other code a letter. */
const BEARER = [98, 101, 97, 114, 101, 114];
/** True where `bearer`, in any ASCII case (as the `i` flag reads it without `u`), ends at `end`. */
function bearerEndsAt(value: string, end: number): boolean {
  if (end < 5) return false;
  for (let k = 0; k < 6; k += 1) if ((value.charCodeAt(end - 5 + k) | 0x20) !== BEARER[k]) return false;
  return true;
}

/**
 * False only where no SECRET_VALUE pattern can match, from what each one needs: `bearer`, `eyJ`,
 * three NHI letters right before two digits, or 30 letters and digits in a row, all found in one
 * pass over the string. Most of a log line (levels, timestamps, ARNs, UUIDs, routes) needs no
 * regular expression at all then; the property test in redact.test.ts checks that the answer
 * equals `redactEverywhere`.
 */
function mayHoldSecret(value: string): boolean {
  let alphanumerics = 0;
  let letters = 0;
  let lettersBeforeDigits = 0;
  let digits = 0;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (isDigit(code)) {
      if (digits === 0) lettersBeforeDigits = letters;
      digits += 1;
      letters = 0;
      if (lettersBeforeDigits >= 3 && digits >= 2) return true;
      alphanumerics += 1;
    } else {
      digits = 0;
      letters = isNhiLetter(code) ? letters + 1 : 0;
      if (isAsciiLetter(code)) {
        alphanumerics += 1;
        // `eyJ` (case as written) or `bearer` (any case) ending here.
        if (code === 74 && i >= 2 && value.charCodeAt(i - 1) === 121 && value.charCodeAt(i - 2) === 101) return true;
        if ((code | 0x20) === 114 && bearerEndsAt(value, i)) return true;
      } else {
        alphanumerics = 0;
      }
    }
    if (alphanumerics >= 30) return true;
  }
  return false;
}

export function redactString(value: string): string {
  return mayHoldSecret(value) ? redactEverywhere(value) : value;
}

/**
 * The keys of Powertools' own fields and of our access and security-event lines, which every
 * line carries: told apart from secret keys once here instead of by a regular expression on every
 * line. Taken from what SECRET_KEY says of them, so a key it matches can never be on this list.
 */
const ORDINARY_KEYS: ReadonlySet<string> = new Set([
  'level', 'message', 'timestamp', 'service', 'cold_start', 'function_arn', 'function_memory_size', 'function_name',
  'function_request_id', 'sampling_rate', 'xray_trace_id', 'tenant_id',
  'route', 'status', 'errorCode', 'latencyMs', 'clientId', 'interactionId', 'requestId', 'sourceIp',
  'securityEvent', 'eventType', 'reasonCode', 'reason', 'errorName',
].filter((key) => !SECRET_KEY.test(key)));

/** True where SECRET_KEY matches the key. */
const isSecretKey = (key: string): boolean => key !== '' && !ORDINARY_KEYS.has(key) && SECRET_KEY.test(key);

/** The `jsonReplacerFn` given to every Logger. */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (value !== null && value !== undefined && isSecretKey(key)) return REDACTED;
  if (typeof value === 'string') return redactString(value);
  return value;
}
