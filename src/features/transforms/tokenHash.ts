import type { TokenHashStep } from '../FeatureSpec.ts';
import { fnv1aCodePoint, fnv1aSeed } from '../fnv1a.ts';
import { foldAscii, isTokenSeparator } from '../tokens.ts';
import type { Transform } from './Transform.ts';

/**
 * Bag of hashed tokens (the "hashing trick"): each token's FNV-1a picks a column, which counts it. The
 * hash is computed while scanning, so no token strings are created.
 */
export const tokenHash: Transform<TokenHashStep> = {
  op: 'tokenHash',
  accepts: ['text'],
  stage: () => 'write',
  width: (step) => step.buckets,
  columns: (step, feature) => Array.from({ length: step.buckets }, (_, i) => `${feature}#${i}`),
  isFitted: (step) => Number.isInteger(step.buckets) && step.buckets > 0 && (step.seed === undefined || Number.isInteger(step.seed)),
  write(step, column, rows, out, stride, offset) {
    const start = fnv1aSeed(step.seed);
    const { buckets } = step;
    const binary = step.binary === true;
    const values = column as (string | null)[];
    for (let i = 0; i < rows; i++) {
      const at = i * stride + offset;
      out.fill(0, at, at + buckets);
      const text = values[i];
      if (text === null) continue;
      let h = start;
      let inToken = false;
      const end = text.length;
      for (let c = 0; c <= end; c++) {
        let code = c < end ? text.charCodeAt(c) : 0x20; // a virtual trailing space closes the last token
        if (code >= 0xd800 && code < 0xdc00 && c + 1 < end) {
          const low = text.charCodeAt(c + 1);
          if (low >= 0xdc00 && low < 0xe000) {
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
            c++;
          }
        }
        if (isTokenSeparator(code)) {
          if (inToken) {
            const slot = at + ((h >>> 0) % buckets);
            out[slot] = binary ? 1 : out[slot] + 1;
            inToken = false;
            h = start;
          }
        } else {
          h = fnv1aCodePoint(h, foldAscii(code));
          inToken = true;
        }
      }
    }
  },
};
