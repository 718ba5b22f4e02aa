/**
 * Key material written as base64, decoded strictly. Node's base64 decoder skips characters
 * outside the alphabet, so a secret stored in another shape (a JSON key/value secret, text with
 * a stray character) would silently decode to some other bytes and become the key.
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes of `text` when it is canonical padded base64, otherwise undefined. */
export function strictBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Non-zero bits after the last byte would make two spellings of one key: refuse them too.
  return bytes.toString('base64') === text ? bytes : undefined;
}
