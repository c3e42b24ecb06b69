import { BinnedHistogram, type BinnedHistogramJSON } from './BinnedHistogram.ts';
import { DDSketch, type DDSketchJSON } from './DDSketch.ts';
import { Moments, type MomentsJSON } from './Moments.ts';

/** Plain-JSON form of a {@link FeatureSketch}. */
export interface FeatureSketchJSON {
  /** Finite values seen (what the sketches below describe). */
  readonly count: number;
  /** NaN: a value that was absent. */
  readonly missing: number;
  /** ±Infinity: a value that cannot be a measurement. */
  readonly invalid: number;
  readonly moments: MomentsJSON;
  readonly histogram: BinnedHistogramJSON;
  readonly quantiles: DDSketchJSON;
}

/** How a {@link FeatureSketch} is set up: the baseline's bin edges and the quantile sketch's accuracy. */
export interface FeatureSketchOptions {
  readonly edges: ArrayLike<number>;
  /** Relative accuracy of the quantile sketch. Default 0.01. */
  readonly relativeAccuracy?: number;
}

/**
 * Everything kept about one numeric quantity (a model feature, a score) in one window: missing and
 * invalid counts, moments, a histogram on the baseline's quantile edges and a DDSketch. One `add` per
 * value, no allocation; merges exactly (moments up to rounding); serialises to plain JSON.
 */
export class FeatureSketch {
  count = 0;
  missing = 0;
  invalid = 0;
  readonly moments = new Moments();
  readonly histogram: BinnedHistogram;
  readonly quantiles: DDSketch;

  constructor(options: FeatureSketchOptions) {
    this.histogram = new BinnedHistogram(options.edges);
    this.quantiles = new DDSketch(options.relativeAccuracy ?? 0.01);
  }

  /** Counts one value: NaN as missing, ±Infinity as invalid, anything else into every sketch. */
  add(x: number): void {
    if (x - x !== 0) {
      // x − x is NaN exactly for NaN and ±Infinity: one test on the common path
      if (x !== x) this.missing++;
      else this.invalid++;
      return;
    }
    this.count++;
    this.moments.add(x);
    this.histogram.add(x);
    this.quantiles.add(x);
  }

  /** Counts column `column` of a row-major `[rows, width]` batch. */
  addColumn(batch: ArrayLike<number>, rows: number, width: number, column: number): void {
    for (let r = 0, at = column; r < rows; r++, at += width) this.add(batch[at]);
  }

  /** Adds another sketch of the same quantity. */
  merge(other: FeatureSketch | FeatureSketchJSON): this {
    const json = other instanceof FeatureSketch ? other.toJSON() : other;
    this.count += json.count;
    this.missing += json.missing;
    this.invalid += json.invalid;
    this.moments.merge(json.moments);
    this.histogram.merge(json.histogram);
    this.quantiles.merge(json.quantiles);
    return this;
  }

  /** Plain JSON. */
  toJSON(): FeatureSketchJSON {
    return {
      count: this.count,
      missing: this.missing,
      invalid: this.invalid,
      moments: this.moments.toJSON(),
      histogram: this.histogram.toJSON(),
      quantiles: this.quantiles.toJSON(),
    };
  }

  /** Rebuilds a sketch from {@link FeatureSketch.toJSON} output. */
  static fromJSON(json: FeatureSketchJSON): FeatureSketch {
    return new FeatureSketch({ edges: json.histogram.edges, relativeAccuracy: json.quantiles.relativeAccuracy }).merge(json);
  }
}
