import { quantileSorted } from '../sketches/quantileSorted.ts';
import { toSample } from './validate.ts';

/** Counts of the same bins (or categories) in two windows. */
export interface PairedCounts {
  readonly reference: Float64Array;
  readonly current: Float64Array;
}

/** Per-category counts over the union of categories seen in either window, in first-seen order. */
export interface CategoryCounts extends PairedCounts {
  readonly categories: readonly (string | number | null)[];
}

/** Numbers closer than this share of the largest magnitude in the two windows are one category. */
const CATEGORY_RESOLUTION = 1e-6;

/**
 * How numbers are read as categories in two windows: snapped to a grid of `1e-6 × max |x|` over both,
 * so float noise (0.1 + 0.2, a value stored as float32 in one window and float64 in the other, 1e-9
 * jitter) does not split one category in two. Strings and `null` are their own keys.
 */
export function categoryKeyOf(...windows: ArrayLike<string | number | null>[]): (value: string | number | null) => string | number | null {
  let scale = 0;
  for (const w of windows) {
    for (let i = 0; i < w.length; i++) {
      const v = w[i];
      if (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) > scale) scale = Math.abs(v);
    }
  }
  const step = CATEGORY_RESOLUTION * (scale > 0 ? scale : 1);
  // + 0 turns −0 into 0: one key for zero
  return (value) => (typeof value === 'number' && Number.isFinite(value) ? Math.round(value / step) * step + 0 : value);
}

/**
 * Counts each distinct value in both windows over the union of their categories, so a category
 * new in `current` shows up as a zero in `reference` rather than silently disappearing. Numbers are
 * read through {@link categoryKeyOf}.
 */
export function categoryCounts(reference: ArrayLike<string | number | null>, current: ArrayLike<string | number | null>): CategoryCounts {
  const key = categoryKeyOf(reference, current);
  const index = new Map<string | number | null, number>();
  const categories: (string | number | null)[] = [];
  const see = (value: string | number | null): number => {
    const k = key(value);
    let at = index.get(k);
    if (at === undefined) {
      at = categories.length;
      index.set(k, at);
      categories.push(value);
    }
    return at;
  };
  const ref = new Float64Array(reference.length + current.length);
  const cur = new Float64Array(reference.length + current.length);
  for (let i = 0; i < reference.length; i++) ref[see(reference[i])]++;
  for (let i = 0; i < current.length; i++) cur[see(current[i])]++;
  return { categories, reference: ref.slice(0, categories.length), current: cur.slice(0, categories.length) };
}

/** Reference-quantile bins and the counts of both windows in them. */
export interface BinnedCounts extends PairedCounts {
  /** The `bins − 1` interior edges; the outer bins are open-ended. */
  readonly edges: Float64Array;
}

/**
 * Bins two numeric windows at the reference's quantiles (deciles by default), the usual PSI
 * binning: every bin holds about the same share of the reference, and current values outside the
 * reference range land in the open-ended outer bins instead of being lost. A value equal to an edge
 * goes to the bin above it, as `np.histogram` does.
 */
export function quantileBinCounts(reference: ArrayLike<number>, current: ArrayLike<number>, bins = 10): BinnedCounts {
  const ref = toSample(reference, 'reference');
  const cur = toSample(current, 'current');
  const sorted = Float64Array.from(ref).sort();
  const edges = new Float64Array(bins - 1);
  // i·(1/bins) rather than i/bins: the same float numpy's linspace yields for the probabilities
  const step = 1 / bins;
  for (let i = 1; i < bins; i++) edges[i - 1] = quantileSorted(sorted, i * step);
  const count = (sample: Float64Array): Float64Array => {
    const counts = new Float64Array(bins);
    for (let i = 0; i < sample.length; i++) counts[upperBound(edges, sample[i])]++;
    return counts;
  };
  return { edges, reference: count(ref), current: count(cur) };
}

/** Number of edges `≤ value` (binary search over ascending edges). */
function upperBound(edges: Float64Array, value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
