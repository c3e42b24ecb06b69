/**
 * FNV-1a (32-bit) over the UTF-8 bytes of strings, computed from UTF-16 code units without encoding
 * into a buffer, so hashing a category allocates nothing. Integer arithmetic only (`Math.imul`), hence
 * the same bucket in Node, every browser and any other language's FNV-1a over UTF-8.
 */

/** FNV-1a 32-bit offset basis. */
export const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Feeds one Unicode code point (as its UTF-8 bytes) into a running hash. */
export function fnv1aCodePoint(hash: number, code: number): number {
  let h = hash;
  if (code < 0x80) return Math.imul(h ^ code, FNV_PRIME);
  if (code < 0x800) {
    h = Math.imul(h ^ (0xc0 | (code >> 6)), FNV_PRIME);
  } else {
    if (code < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (code >> 12)), FNV_PRIME);
    } else {
      h = Math.imul(h ^ (0xf0 | (code >> 18)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((code >> 12) & 0x3f)), FNV_PRIME);
    }
    h = Math.imul(h ^ (0x80 | ((code >> 6) & 0x3f)), FNV_PRIME);
  }
  return Math.imul(h ^ (0x80 | (code & 0x3f)), FNV_PRIME);
}

/**
 * Feeds a whole string into a running hash. Surrogate pairs become one 4-byte code point; a lone
 * surrogate is hashed as its 3-byte form (WTF-8) rather than replaced, so distinct strings stay distinct.
 */
export function fnv1aUpdate(hash: number, text: string): number {
  let h = hash;
  const end = text.length;
  for (let i = 0; i < end; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code < 0xdc00 && i + 1 < end) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    h = fnv1aCodePoint(h, code);
  }
  return h;
}

/** Starting state for a seed: seed 0 is plain FNV-1a; other seeds first feed their 4 bytes (little-endian). */
export function fnv1aSeed(seed = 0): number {
  if (seed === 0) return FNV_OFFSET;
  let h = FNV_OFFSET;
  for (let shift = 0; shift < 32; shift += 8) h = Math.imul(h ^ ((seed >>> shift) & 0xff), FNV_PRIME);
  return h;
}

/** FNV-1a of `text` as an unsigned 32-bit integer. */
export function fnv1a(text: string, seed = 0): number {
  return fnv1aUpdate(fnv1aSeed(seed), text) >>> 0;
}
