import { EdgewatchError, ErrorCode } from '../../errors.ts';
import { quantileSorted } from './quantileSorted.ts';

/** Plain-JSON form of a {@link BinnedHistogram}. */
export interface BinnedHistogramJSON {
  /** Ascending edges `e₀ < … < e_k`. */
  readonly edges: readonly number[];
  /** `k + 2` counts: underflow (`< e₀`), `[e₀, e₁)`, …, `[e_{k−1}, e_k]`, overflow (`> e_k`); with a single edge, `<`, `=`, `>`. */
  readonly counts: readonly number[];
}

/**
 * Counts over fixed bins whose edges come from the baseline's quantiles, plus an underflow and an
 * overflow bin, so that values outside the training range are seen rather than folded into the end
 * bins. Fixed edges make histograms of any two windows (and of the baseline) directly comparable and
 * merge by adding counts; PSI and Jensen–Shannon read them.
 */
export class BinnedHistogram {
  readonly edges: Float64Array;
  readonly counts: Float64Array;

  constructor(edges: ArrayLike<number>) {
    if (edges.length < 1) throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'A histogram needs at least one edge', { field: 'edges', reason: 'empty' });
    for (let i = 0; i < edges.length; i++) {
      if (!Number.isFinite(edges[i]) || (i > 0 && !(edges[i] > edges[i - 1]))) {
        throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'Histogram edges must be finite and strictly ascending', { field: 'edges', reason: 'not-ascending' });
      }
    }
    this.edges = Float64Array.from(edges);
    // k + 1 edges make k closed-open bins between them; a single edge (a constant baseline) gets one
    // bin for exactly that value
    this.counts = new Float64Array(edges.length === 1 ? 3 : edges.length + 1);
  }

  /**
   * Edges at the `bins`-quantiles of a sorted baseline sample, min and max included, with ties
   * removed (a feature with few distinct values gets fewer, wider bins rather than empty ones).
   */
  static edgesFromSorted(sorted: Float64Array, bins = 10): number[] {
    const edges: number[] = [];
    for (let i = 0; i <= bins; i++) {
      const edge = quantileSorted(sorted, i / bins);
      if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
    }
    return edges;
  }

  /** Bin of a finite value. */
  bin(x: number): number {
    const edges = this.edges;
    const last = edges.length - 1;
    if (x < edges[0]) return 0;
    if (x > edges[last]) return this.counts.length - 1;
    if (x === edges[last]) return last === 0 ? 1 : last;
    // number of edges ≤ x; a linear scan beats binary search's unpredictable branches at ~11 edges
    let i = 1;
    while (edges[i] <= x) i++;
    return i;
  }

  /** Counts one finite value. */
  add(x: number, weight = 1): void {
    this.counts[this.bin(x)] += weight;
  }

  /** Adds another histogram's counts; edges must match. */
  merge(other: BinnedHistogram | BinnedHistogramJSON): this {
    const edges = other.edges;
    if (edges.length !== this.edges.length || this.edges.some((e, i) => e !== edges[i])) {
      throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'Cannot merge histograms with different edges', { field: 'edges', reason: 'mismatch' });
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    return this;
  }

  /** Total count. */
  get total(): number {
    let sum = 0;
    for (let i = 0; i < this.counts.length; i++) sum += this.counts[i];
    return sum;
  }

  /** Plain JSON. */
  toJSON(): BinnedHistogramJSON {
    return { edges: Array.from(this.edges), counts: Array.from(this.counts) };
  }

  /** Rebuilds a histogram from {@link BinnedHistogram.toJSON} output. */
  static fromJSON(json: BinnedHistogramJSON): BinnedHistogram {
    return new BinnedHistogram(json.edges).merge(json);
  }
}
