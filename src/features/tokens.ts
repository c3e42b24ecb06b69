/**
 * The one tokenizer of text features. Deliberately simple and locale-free: a token is a run of characters
 * that are neither whitespace nor ASCII punctuation, and only ASCII letters are lower-cased, because
 * `toLowerCase()` on the rest depends on the engine's Unicode tables, which differ between Node and
 * browser versions and would break train/serve parity.
 */

/** True for code points that end a token. */
export function isTokenSeparator(code: number): boolean {
  if (code <= 0x20) return true; // ASCII whitespace and control characters
  if (code < 0x7f) return (code >= 0x21 && code <= 0x2f) || (code >= 0x3a && code <= 0x40) || (code >= 0x5b && code <= 0x60) || code >= 0x7b;
  return code === 0x7f || code === 0x85 || code === 0xa0 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x3000;
}

/** ASCII A–Z to a–z; everything else unchanged. */
export function foldAscii(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
}

/** Number of tokens in `text`. */
export function countTokens(text: string): number {
  let tokens = 0;
  let inToken = false;
  for (let i = 0; i < text.length; i++) {
    const separator = isTokenSeparator(text.charCodeAt(i));
    if (!separator && !inToken) tokens++;
    inToken = !separator;
  }
  return tokens;
}

/** Number of Unicode code points in `text` (a surrogate pair is one character). */
export function countCodePoints(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code < 0xdc00) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        count--;
        i++;
      }
    }
  }
  return count;
}
