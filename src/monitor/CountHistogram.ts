/**
 * Counts of a categorical quantity (e.g. the predicted class) over fixed bins, kept in memory on the
 * hot path and merged into storage in batches. Mergeable: adding two histograms' counts is exact.
 */
export class CountHistogram {
  readonly bins: readonly string[];
  readonly counts: Float64Array;
  total = 0;

  constructor(bins: readonly string[]) {
    this.bins = bins;
    this.counts = new Float64Array(bins.length);
  }

  /** Counts one observation of bin `index`. */
  add(index: number, weight = 1): void {
    this.counts[index] += weight;
    this.total += weight;
  }

  /** Adds another histogram's counts (same bins). */
  merge(other: { readonly counts: ArrayLike<number> }): void {
    for (let i = 0; i < this.counts.length; i++) {
      this.counts[i] += other.counts[i];
      this.total += other.counts[i];
    }
  }

  /** Forgets every count (after a flush). */
  clear(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}
