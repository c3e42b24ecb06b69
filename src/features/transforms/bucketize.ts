import type { BucketizeStep } from '../FeatureSpec.ts';
import { quantile, sortedPresent } from './stats.ts';
import type { Transform } from './Transform.ts';

/** Default number of quantile buckets when neither `boundaries` nor `buckets` is given. */
const DEFAULT_BUCKETS = 10;

/** Index of the bucket holding `x`: how many boundaries are `<= x` (binary search; NaN stays NaN). */
function bucketOf(boundaries: readonly number[], x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (boundaries[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Numbers to bucket indexes (`output: 'index'`, in place) or to one column per bucket (`'oneHot'`).
 * Fitted boundaries are the training quantiles with duplicates dropped, so heavy ties (many days with 0 mm
 * of rain) give fewer buckets instead of empty ones.
 */
export const bucketize: Transform<BucketizeStep> = {
  op: 'bucketize',
  accepts: ['number'],
  stage: (step) => (step.output === 'oneHot' ? 'write' : 'map'),
  width: (step) => (step.output === 'oneHot' ? (step.boundaries?.length ?? 0) + 1 : 0),
  columns(step, feature) {
    const b = step.boundaries ?? [];
    return Array.from({ length: b.length + 1 }, (_, i) =>
      i === 0 ? `${feature}<${b[0]}` : i === b.length ? `${feature}>=${b[i - 1]}` : `${feature}[${b[i - 1]},${b[i]})`,
    );
  },
  isFitted(step) {
    const b = step.boundaries;
    if (!Array.isArray(b) || b.length === 0) return false;
    for (let i = 0; i < b.length; i++) if (!Number.isFinite(b[i]) || (i > 0 && b[i] <= b[i - 1])) return false;
    return true;
  },
  fit(step, column, count) {
    const sorted = sortedPresent(column as Float64Array, count);
    const buckets = step.buckets ?? DEFAULT_BUCKETS;
    const boundaries: number[] = [];
    for (let i = 1; i < buckets; i++) {
      const q = quantile(sorted, i / buckets);
      if (Number.isFinite(q) && (boundaries.length === 0 || q > boundaries[boundaries.length - 1])) boundaries.push(q);
    }
    // An empty or constant column still needs one boundary for a valid (two-bucket) layout.
    if (boundaries.length === 0) boundaries.push(sorted.length > 0 ? sorted[0] : 0);
    return { ...step, boundaries };
  },
  apply(step, column, count) {
    const boundaries = step.boundaries as readonly number[];
    for (let i = 0; i < count; i++) column[i] = bucketOf(boundaries, column[i]);
  },
  write(step, column, rows, out, stride, offset) {
    const boundaries = step.boundaries as readonly number[];
    const values = column as Float64Array;
    const width = boundaries.length + 1;
    for (let i = 0; i < rows; i++) {
      const at = i * stride + offset;
      out.fill(0, at, at + width);
      const bucket = bucketOf(boundaries, values[i]);
      if (!Number.isNaN(bucket)) out[at + bucket] = 1;
    }
  },
};
