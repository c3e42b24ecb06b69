import type { CrossStep } from '../FeatureSpec.ts';
import { fnv1aSeed, fnv1aUpdate } from '../fnv1a.ts';
import type { Transform } from './Transform.ts';

/**
 * Separator fed between the two values. 0xFF never occurs in UTF-8, so ("ab", "c") and ("a", "bc") hash
 * differently.
 */
const SEPARATOR = 0xff;
const FNV_PRIME = 0x01000193;

/** Bucket of the pair, or NaN when either side is missing. */
function pairBucket(start: number, a: string | null, b: string | null, buckets: number): number {
  if (a === null || b === null) return Number.NaN;
  const h = fnv1aUpdate(Math.imul(fnv1aUpdate(start, a) ^ SEPARATOR, FNV_PRIME), b);
  return (h >>> 0) % buckets;
}

/** Two categories crossed into one hashed bucket (a one-hot of `buckets` columns, or its index). */
export const cross: Transform<CrossStep> = {
  op: 'cross',
  accepts: ['category'],
  stage: (step) => (step.output === 'index' ? 'convert' : 'write'),
  width: (step) => (step.output === 'index' ? 0 : step.buckets),
  columns: (step, feature) => Array.from({ length: step.buckets }, (_, i) => `${feature}#${i}`),
  isFitted: (step) =>
    typeof step.with === 'string' && Number.isInteger(step.buckets) && step.buckets > 0 && (step.seed === undefined || Number.isInteger(step.seed)),
  convert(step, column, rows, out, paired) {
    const start = fnv1aSeed(step.seed);
    const other = paired as (string | null)[];
    for (let i = 0; i < rows; i++) out[i] = pairBucket(start, column[i], other[i], step.buckets);
  },
  write(step, column, rows, out, stride, offset, paired) {
    const start = fnv1aSeed(step.seed);
    const values = column as (string | null)[];
    const other = paired as (string | null)[];
    for (let i = 0; i < rows; i++) {
      const at = i * stride + offset;
      out.fill(0, at, at + step.buckets);
      const bucket = pairBucket(start, values[i], other[i], step.buckets);
      if (!Number.isNaN(bucket)) out[at + bucket] = 1;
    }
  },
};
