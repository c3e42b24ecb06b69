import { EdgewatchError, ErrorCode } from '../../errors.ts';

/** Plain-JSON form of a {@link DDSketch}: what IndexedDB rows, baselines and exports hold. */
export interface DDSketchJSON {
  readonly relativeAccuracy: number;
  readonly count: number;
  /** Values whose magnitude is at most {@link DDSketch.minIndexable}; they stand for 0. */
  readonly zeroCount: number;
  /**
   * Bucket `offset + i` of positive values holds `counts[i]`: the non-empty range, widened to the span a
   * {@link QuantileFrame} reserved (so empty buckets at either end are possible). Loading keeps that span.
   */
  readonly positive: { readonly offset: number; readonly counts: readonly number[] };
  /** The same for the magnitudes of negative values. */
  readonly negative: { readonly offset: number; readonly counts: readonly number[] };
}

/**
 * Where a version's quantile sketches keep their buckets, in bucket indices, taken from its baseline
 * ({@link quantileFrame}). It makes a stored window's size independent of how many values it saw: the
 * buckets of the baseline's range (plus headroom) are always stored, empty or not, and magnitudes below the
 * baseline's smallest share its lowest bucket, so a busy day that reaches a few more tail buckets than a
 * quiet one stores exactly as many. Only values beyond the baseline's largest magnitude (+ headroom) widen it.
 */
export interface QuantileFrame {
  /** Bucket indices `[lo, hi]` always stored for positive values; magnitudes below bucket `lo` count in it. */
  readonly positive?: readonly [number, number];
  /** The same for the magnitudes of negative values. */
  readonly negative?: readonly [number, number];
  /** Lowest bucket of a sign without a span of its own (a sign the baseline never saw). */
  readonly floor?: number;
}

/** Dense counts for a contiguous range of bucket indices, growing on demand. */
class Store {
  counts = new Float64Array(0);
  offset = 0;
  total = 0;
  /** Bucket indices stored even when empty (see {@link QuantileFrame}); `lo > hi` when none. */
  spanLo = Number.POSITIVE_INFINITY;
  spanHi = Number.NEGATIVE_INFINITY;

  /** Keeps `[lo, hi]` in the serialised form from now on, and makes room for it. */
  reserve(lo: number, hi: number): void {
    if (lo > hi) return;
    this.spanLo = Math.min(this.spanLo, lo);
    this.spanHi = Math.max(this.spanHi, hi);
    this.add(this.spanLo, 0);
    this.add(this.spanHi, 0);
  }

  add(index: number, weight: number): void {
    let at = index - this.offset;
    if (at < 0 || at >= this.counts.length) at = this.grow(index);
    this.counts[at] += weight;
    this.total += weight;
  }

  /** Makes room for `index` (doubling, so growth is amortised) and returns its slot. */
  private grow(index: number): number {
    if (this.counts.length === 0) {
      this.counts = new Float64Array(16);
      this.offset = index - 8;
      return index - this.offset;
    }
    const lo = Math.min(this.offset, index);
    const hi = Math.max(this.offset + this.counts.length - 1, index);
    const size = Math.max(hi - lo + 1, this.counts.length * 2);
    const slack = size - (hi - lo + 1);
    // Leave the spare room on the side that grew, where the next new bucket most likely lands.
    const newOffset = index < this.offset ? lo - slack : lo;
    const next = new Float64Array(size);
    next.set(this.counts, this.offset - newOffset);
    this.counts = next;
    this.offset = newOffset;
    return index - this.offset;
  }

  /** Folds every bucket below `keepFrom` into bucket `keepFrom` (DDSketch's bounded-size collapse). */
  collapseBelow(keepFrom: number): void {
    this.spanLo = Math.max(this.spanLo, keepFrom);
    let moved = 0;
    for (let i = 0; i < this.counts.length && this.offset + i < keepFrom; i++) {
      moved += this.counts[i];
      this.counts[i] = 0;
    }
    if (moved > 0) {
      this.total -= moved;
      this.add(keepFrom, moved);
    }
  }

  /** Reallocates to exactly `[lo, hi]` (after a collapse), so the fast path of `DDSketch.add` applies again. */
  shrinkTo(lo: number, hi: number): void {
    const next = new Float64Array(hi - lo + 1);
    next.set(this.counts.subarray(lo - this.offset, hi - this.offset + 1));
    this.counts = next;
    this.offset = lo;
  }

  /** The indices serialised: the non-empty range joined with the reserved span; undefined when both are empty. */
  extent(): [number, number] | undefined {
    const range = this.range();
    const lo = Math.min(range ? range[0] : Number.POSITIVE_INFINITY, this.spanLo);
    const hi = Math.max(range ? range[1] : Number.NEGATIVE_INFINITY, this.spanHi);
    return lo <= hi ? [lo, hi] : undefined;
  }

  /** Lowest and highest non-empty indices, or undefined when empty. */
  range(): [number, number] | undefined {
    let lo = 0;
    while (lo < this.counts.length && this.counts[lo] === 0) lo++;
    if (lo === this.counts.length) return undefined;
    let hi = this.counts.length - 1;
    while (this.counts[hi] === 0) hi--;
    return [this.offset + lo, this.offset + hi];
  }

  toJSON(): { offset: number; counts: number[] } {
    const extent = this.extent();
    if (!extent) return { offset: 0, counts: [] };
    const [lo, hi] = extent;
    return { offset: lo, counts: Array.from(this.counts.subarray(lo - this.offset, hi - this.offset + 1)) };
  }

  load(json: { readonly offset: number; readonly counts: readonly number[] }): void {
    // the stored span travels with the counts, so merges and roll-ups keep a frame's fixed size
    if (json.counts.length > 0) this.reserve(json.offset, json.offset + json.counts.length - 1);
    for (let i = 0; i < json.counts.length; i++) if (json.counts[i] !== 0) this.add(json.offset + i, json.counts[i]);
  }
}

/**
 * The frame of a baseline's quantile sketch: its bucket spans, widened so that magnitudes up to
 * `headroom` × the largest it saw still fit, each starting at that sign's lowest bucket (the floor); a sign
 * it never saw gets the other's floor and no span. Empty for an empty sketch.
 * The default 2× costs ~35 buckets per sign at α = 0.01 and covers what more traffic of the same
 * light-tailed data reaches: a normal sample's maximum grows like √(2 ln n), 3.5σ at 2,000 values, 7σ
 * only at ~10¹², so a busy day's row stays the size of a quiet one's. Heavier tails, or drift, widen it.
 */
export function quantileFrame(baseline: DDSketchJSON, headroom = 2): QuantileFrame {
  const extra = Math.ceil(Math.log2(headroom) / Math.log(gammaOf(baseline.relativeAccuracy)));
  const span = (s: DDSketchJSON['positive']): readonly [number, number] | undefined =>
    s.counts.length > 0 ? [s.offset, s.offset + s.counts.length - 1 + extra] : undefined;
  const positive = span(baseline.positive);
  const negative = span(baseline.negative);
  const floor = Math.min(positive?.[0] ?? Number.POSITIVE_INFINITY, negative?.[0] ?? Number.POSITIVE_INFINITY);
  return { ...(Number.isFinite(floor) ? { floor } : {}), ...(positive ? { positive } : {}), ...(negative ? { negative } : {}) };
}

/** The ratio `γ = (1 + α)/(1 − α)` of a bucket's edges at relative accuracy α. */
function gammaOf(relativeAccuracy: number): number {
  return (1 + relativeAccuracy) / (1 - relativeAccuracy);
}

/** Scratch views that read a double's exponent and mantissa bits (no allocation per value). */
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
/** Index of the high word in {@link U32}: 1 on little-endian machines (all browsers' in practice). */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * `log₂ x` linearly interpolated between powers of two: `e + m` for `x = 2^e·(1 + m)`, read from the
 * float's bits. Monotone, exact at powers of two, and off by at most 0.086 in between.
 */
function approxLog2(x: number): number {
  F64[0] = x;
  const hi = U32[HI];
  return (hi >>> 20) - 1023 + ((hi & 0xfffff) * 4294967296 + U32[1 - HI]) * 2.220446049250313e-16;
}

/** Inverse of {@link approxLog2}. */
function approxExp2(a: number): number {
  const e = Math.floor(a);
  return 2 ** e * (1 + (a - e));
}

/**
 * A relative-error quantile sketch (DDSketch, Masson, Rim & Lee, VLDB 2019): value `x > 0` goes to
 * bucket `⌈M·L(x)⌉` where `L` is log₂ linearly interpolated between powers of two (read from the float's
 * bits: no `Math.log` on the hot path, ~10 ns less per value) and `M = 1/ln γ`, `γ = (1 + α)/(1 − α)`.
 * `dL/dlog₂x ≥ ln 2`, so a bucket spans a ratio of at most γ, and its representative (the harmonic
 * midpoint of its edges) is within relative error α of every value in it; every quantile returned is
 * within α of a true value of that rank. The price is ~1.44× more buckets than exact logarithms (the
 * paper's linearly interpolated mapping).
 *
 * Written here rather than taken from a package because it is ~250 lines, runs on the worker's hot path
 * (a few bit operations and one array increment per value, no allocation), merges exactly (two sketches with
 * the same `α` merge by adding bucket counts, so a sketch of the union equals the merge of the sketches,
 * which KLL and t-digest do not give), has a guarantee that does not depend on the data's range, and
 * serialises to a few plain arrays for IndexedDB and JSON. Memory is bounded by `maxBuckets` per sign:
 * past it the buckets nearest zero are collapsed, which only coarsens the smallest magnitudes.
 */
export class DDSketch {
  /** Magnitudes at or below this count as zero: log buckets cannot reach 0. */
  static readonly minIndexable = 1e-9;
  readonly relativeAccuracy: number;
  readonly maxBuckets: number;
  private readonly gamma: number;
  private readonly multiplier: number;
  private readonly positive = new Store();
  private readonly negative = new Store();
  zeroCount = 0;
  /** Lowest bucket index of each sign (see {@link QuantileFrame}); −∞ by default. */
  private floorPositive = Number.NEGATIVE_INFINITY;
  private floorNegative = Number.NEGATIVE_INFINITY;

  constructor(relativeAccuracy = 0.01, maxBuckets = 2048) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
      throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'relativeAccuracy must be in (0, 1)', { field: 'relativeAccuracy', reason: 'out-of-range' });
    }
    this.relativeAccuracy = relativeAccuracy;
    this.maxBuckets = maxBuckets;
    this.gamma = gammaOf(relativeAccuracy);
    this.multiplier = 1 / Math.log(this.gamma);
  }

  /** Number of values added. */
  get count(): number {
    return this.positive.total + this.negative.total + this.zeroCount;
  }

  /** Bucket index of a positive magnitude. */
  index(magnitude: number): number {
    return Math.ceil(approxLog2(magnitude) * this.multiplier);
  }

  /** The value a bucket stands for: within relative error α of every value in `(lower, upper]`. */
  value(index: number): number {
    const lo = this.upperEdge(index - 1);
    const hi = this.upperEdge(index);
    return (2 * lo * hi) / (lo + hi);
  }

  /**
   * Fixes where buckets are kept (see {@link QuantileFrame}): reserves its spans and, from now on, counts
   * magnitudes below a sign's lowest bucket in it. Quantiles keep relative error α for magnitudes from
   * that bucket's upper edge up; below it the error is at most that edge, absolute (for a frame taken from
   * a baseline: values closer to 0 than any the model was trained on).
   */
  frame(frame: QuantileFrame): this {
    const floor = frame.floor ?? Number.NEGATIVE_INFINITY;
    this.floorPositive = frame.positive?.[0] ?? floor;
    this.floorNegative = frame.negative?.[0] ?? floor;
    if (frame.positive) this.positive.reserve(frame.positive[0], frame.positive[1]);
    if (frame.negative) this.negative.reserve(frame.negative[0], frame.negative[1]);
    return this;
  }

  /** Upper edge of bucket `i` (its values are `≤` it); the lower edge is bucket `i − 1`'s upper edge. */
  upperEdge(index: number): number {
    return approxExp2(index / this.multiplier);
  }

  /** Adds a finite value (callers route NaN and ±Infinity to their own missing/invalid counts). */
  add(value: number, weight = 1): void {
    if (value > DDSketch.minIndexable) this.addTo(this.positive, Math.max(this.floorPositive, Math.ceil(approxLog2(value) * this.multiplier)), weight);
    else if (value < -DDSketch.minIndexable) this.addTo(this.negative, Math.max(this.floorNegative, Math.ceil(approxLog2(-value) * this.multiplier)), weight);
    else if (value === value) this.zeroCount += weight;
    else throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'DDSketch.add: NaN', { field: 'value', reason: 'non-finite' });
  }

  /** The common case inline (bucket in range); growth and the size bound only when the range grows. */
  private addTo(store: Store, index: number, weight: number): void {
    const at = index - store.offset;
    // fast path while the store's capacity is within the bound (then no add can exceed it)
    if (at >= 0 && at < store.counts.length && store.counts.length <= this.maxBuckets) {
      store.counts[at] += weight;
      store.total += weight;
      return;
    }
    store.add(index, weight);
    this.bound(store);
  }

  private bound(store: Store): void {
    if (store.counts.length <= this.maxBuckets) return;
    const extent = store.extent();
    if (!extent) return;
    if (extent[1] - extent[0] + 1 > this.maxBuckets) store.collapseBelow(extent[1] - this.maxBuckets + 1);
    const after = store.extent() as [number, number];
    store.shrinkTo(after[0], after[1]);
  }

  /** Adds another sketch's counts. Exact: the result equals the sketch of both inputs. */
  merge(other: DDSketch | DDSketchJSON): this {
    const json = other instanceof DDSketch ? other.toJSON() : other;
    if (json.relativeAccuracy !== this.relativeAccuracy) {
      throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'Cannot merge DDSketches with different relative accuracy', {
        field: 'relativeAccuracy',
        reason: 'mismatch',
      });
    }
    this.positive.load(json.positive);
    this.negative.load(json.negative);
    this.zeroCount += json.zeroCount;
    this.bound(this.positive);
    this.bound(this.negative);
    return this;
  }

  /**
   * The value at quantile `q ∈ [0, 1]` (rank `q·(n − 1)`, lower rank), within relative error α of the
   * true order statistic; NaN when empty.
   */
  quantile(q: number): number {
    const n = this.count;
    if (n === 0 || !(q >= 0 && q <= 1)) return Number.NaN;
    const rank = q * (n - 1);
    let seen = 0;
    const neg = this.negative;
    for (let i = neg.counts.length - 1; i >= 0; i--) {
      seen += neg.counts[i];
      if (seen > rank) return -this.value(neg.offset + i);
    }
    seen += this.zeroCount;
    if (seen > rank) return 0;
    const pos = this.positive;
    for (let i = 0; i < pos.counts.length; i++) {
      seen += pos.counts[i];
      if (seen > rank) return this.value(pos.offset + i);
    }
    return this.value(pos.offset + pos.counts.length - 1);
  }

  /**
   * The sketch as ascending `(value, upper, weight)` cells: representative value, the cell's upper
   * edge, and its count. Every value of a cell lies between the previous cell's `upper` and its own, so
   * the empirical CDF is known exactly at each edge (as a limit from one side); drift statistics read it.
   */
  cells(): { value: number; upper: number; weight: number }[] {
    const out: { value: number; upper: number; weight: number }[] = [];
    const neg = this.negative;
    for (let i = neg.counts.length - 1; i >= 0; i--) {
      if (neg.counts[i] === 0) continue;
      // negative bucket i holds −x for x in (edge(i−1), edge(i)]: its upper edge is −edge(i−1)
      out.push({ value: -this.value(neg.offset + i), upper: -this.upperEdge(neg.offset + i - 1), weight: neg.counts[i] });
    }
    if (this.zeroCount > 0) out.push({ value: 0, upper: DDSketch.minIndexable, weight: this.zeroCount });
    const pos = this.positive;
    for (let i = 0; i < pos.counts.length; i++) {
      if (pos.counts[i] === 0) continue;
      out.push({ value: this.value(pos.offset + i), upper: this.upperEdge(pos.offset + i), weight: pos.counts[i] });
    }
    return out;
  }

  /** Plain JSON (structured-clone and `JSON.stringify` safe). */
  toJSON(): DDSketchJSON {
    return {
      relativeAccuracy: this.relativeAccuracy,
      count: this.count,
      zeroCount: this.zeroCount,
      positive: this.positive.toJSON(),
      negative: this.negative.toJSON(),
    };
  }

  /** Rebuilds a sketch from {@link DDSketch.toJSON} output. */
  static fromJSON(json: DDSketchJSON, maxBuckets = 2048): DDSketch {
    return new DDSketch(json.relativeAccuracy, maxBuckets).merge(json);
  }
}
