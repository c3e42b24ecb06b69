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

/**
 * Counts each distinct value in both windows over the union of their categories, so a category
 * new in `current` shows up as a zero in `reference` rather than silently disappearing.
 */
export function categoryCounts(reference: ArrayLike<string | number | null>, current: ArrayLike<string | number | null>): CategoryCounts {
  const index = new Map<string | number | null, number>();
  const categories: (string | number | null)[] = [];
  const see = (value: string | number | null): number => {
    let at = index.get(value);
    if (at === undefined) {
      at = categories.length;
      index.set(value, at);
      categories.push(value);
    }
    return at;
  };
  for (let i = 0; i < reference.length; i++) see(reference[i]);
  for (let i = 0; i < current.length; i++) see(current[i]);
  const ref = new Float64Array(categories.length);
  const cur = new Float64Array(categories.length);
  for (let i = 0; i < reference.length; i++) ref[index.get(reference[i]) as number]++;
  for (let i = 0; i < current.length; i++) cur[index.get(current[i]) as number]++;
  return { categories, reference: ref, current: cur };
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
