import { EdgewatchError, ErrorCode } from '../../errors.ts';

/** Plain-JSON form of {@link CategoricalCounts}. */
export interface CategoricalCountsJSON {
  /** Known categories, fixed by the baseline (or the model's labels). */
  readonly categories: readonly string[];
  /** `counts[i]` counts `categories[i]`. */
  readonly counts: readonly number[];
  /** Values outside the vocabulary: a new category is drift worth seeing, but must not grow the row. */
  readonly other: number;
}

/**
 * Counts of a categorical quantity over a fixed vocabulary plus an "other" bucket, so memory and row
 * size stay bounded however many distinct values the app sends. Merges by adding counts.
 */
export class CategoricalCounts {
  readonly categories: readonly string[];
  readonly counts: Float64Array;
  other = 0;
  private readonly index: Map<string, number>;

  constructor(categories: readonly string[]) {
    this.categories = [...categories];
    this.counts = new Float64Array(categories.length);
    this.index = new Map(categories.map((c, i) => [c, i]));
  }

  /** Counts a value by name (unknown names go to "other"). */
  add(value: string, weight = 1): void {
    const at = this.index.get(value);
    if (at === undefined) this.other += weight;
    else this.counts[at] += weight;
  }

  /** Counts a value by its index in the vocabulary (the hot path for class indices). */
  addIndex(index: number, weight = 1): void {
    if (index >= 0 && index < this.counts.length) this.counts[index] += weight;
    else this.other += weight;
  }

  /** Total count, "other" included. */
  get total(): number {
    let sum = this.other;
    for (let i = 0; i < this.counts.length; i++) sum += this.counts[i];
    return sum;
  }

  /** Adds another set of counts over the same vocabulary. */
  merge(other: CategoricalCounts | CategoricalCountsJSON): this {
    if (other.categories.length !== this.categories.length || other.categories.some((c, i) => c !== this.categories[i])) {
      throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'Cannot merge categorical counts with different vocabularies', {
        field: 'categories',
        reason: 'mismatch',
      });
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.other += other.other;
    return this;
  }

  /** Plain JSON. */
  toJSON(): CategoricalCountsJSON {
    return { categories: [...this.categories], counts: Array.from(this.counts), other: this.other };
  }

  /** Rebuilds counts from {@link CategoricalCounts.toJSON} output. */
  static fromJSON(json: CategoricalCountsJSON): CategoricalCounts {
    return new CategoricalCounts(json.categories).merge(json);
  }
}
