/** Plain-JSON form of {@link Moments}. */
export interface MomentsJSON {
  readonly count: number;
  readonly mean: number;
  /** Sum of squared deviations from the mean. */
  readonly m2: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Running count, mean, variance, min and max. Welford's update on the hot path (no catastrophic
 * cancellation, unlike Σx² − n·mean²) and Chan et al.'s pairwise formula to merge, so merging windows
 * or devices gives the moments of the union up to rounding.
 */
export class Moments {
  count = 0;
  mean = 0;
  m2 = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  /** Adds one finite value. */
  add(x: number): void {
    const n = ++this.count;
    const delta = x - this.mean;
    this.mean += delta / n;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  /** Population variance (numpy's `ddof=0`); NaN when empty. */
  get variance(): number {
    return this.count > 0 ? this.m2 / this.count : Number.NaN;
  }

  /** Population standard deviation. */
  get std(): number {
    return Math.sqrt(this.variance);
  }

  /** Combines another set of moments into this one (Chan, Golub & LeVeque). */
  merge(other: MomentsJSON | Moments): this {
    if (other.count === 0) return this;
    if (this.count === 0) {
      this.count = other.count;
      this.mean = other.mean;
      this.m2 = other.m2;
      this.min = other.min;
      this.max = other.max;
      return this;
    }
    const n = this.count + other.count;
    const delta = other.mean - this.mean;
    this.mean += (delta * other.count) / n;
    this.m2 += other.m2 + (delta * delta * this.count * other.count) / n;
    this.count = n;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    return this;
  }

  /** Plain JSON; min/max of an empty set are written as 0 because JSON has no Infinity. */
  toJSON(): MomentsJSON {
    const empty = this.count === 0;
    return { count: this.count, mean: this.mean, m2: this.m2, min: empty ? 0 : this.min, max: empty ? 0 : this.max };
  }

  /** Rebuilds moments from {@link Moments.toJSON} output. */
  static fromJSON(json: MomentsJSON): Moments {
    return new Moments().merge(json);
  }
}
