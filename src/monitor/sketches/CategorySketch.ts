import { EdgewatchError, ErrorCode } from '../../errors.ts';

/** Plain-JSON form of a {@link CategorySketch}. */
export interface CategorySketchJSON {
  /** The baseline's most frequent categories (at most `top`), fixed for every window of the version. */
  readonly categories: readonly string[];
  /** `counts[i]` counts `categories[i]`. */
  readonly counts: readonly number[];
  /** Values the baseline saw, outside its top categories (its `rare` names). */
  readonly other: number;
  /** Values the baseline never saw. */
  readonly unseen: number;
  /** The most frequent unseen values by name (at most a few, names cut at 64 characters), and their counts. */
  readonly unseenNames: readonly string[];
  readonly unseenCounts: readonly number[];
  /** `null`, `undefined` or a value that is no category (an object, NaN). */
  readonly missing: number;
  /** Baselines only: the names counted in `other` (at most {@link MAX_RARE}), so a device tells "rare" from "unseen". */
  readonly rare?: readonly string[];
}

/** The vocabulary a window's {@link CategorySketch} starts from: the baseline's top categories and rare names. */
export interface CategoryVocabulary {
  readonly categories: readonly string[];
  readonly rare?: readonly string[];
}

/** Top categories a baseline keeps by count. */
export const TOP_CATEGORIES = 64;
/** Rare baseline names kept to tell them from unseen ones; beyond this many, the rarest read as unseen. */
export const MAX_RARE = 1024;
/** Unseen names a window keeps; the rest are counted in `unseen` only. */
export const MAX_UNSEEN_NAMES = 16;
/** A category name is cut to this many characters: a hostile value must not grow a stored row. */
const MAX_NAME = 64;

/**
 * The category of a raw value as the feature pipeline reads it (a string, or a number or boolean as
 * text), cut to 64 characters; `undefined` for a missing value or one that is no category.
 */
export function categoryOf(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'boolean' || (typeof value === 'number' && value === value)) text = String(value);
  else return undefined;
  return text.length > MAX_NAME ? text.slice(0, MAX_NAME) : text;
}

/**
 * Counts of one categorical input over a window, bounded however many distinct values the app sends:
 * the baseline's top categories one by one, the rest of the baseline's categories as "other", values the
 * baseline never had as "unseen" (the first few by name), and missing values. Merges by adding counts
 * (the unseen names up to the bound); drift tests read it as one row of a contingency table.
 */
export class CategorySketch {
  readonly categories: readonly string[];
  readonly counts: Float64Array;
  other = 0;
  unseen = 0;
  missing = 0;
  readonly rare: readonly string[];
  private readonly index: Map<string, number>;
  private readonly rareSet: Set<string>;
  private readonly unseenByName = new Map<string, number>();

  constructor(vocabulary: CategoryVocabulary) {
    this.categories = [...vocabulary.categories];
    this.rare = [...(vocabulary.rare ?? [])];
    this.counts = new Float64Array(this.categories.length);
    this.index = new Map(this.categories.map((c, i) => [c, i]));
    this.rareSet = new Set(this.rare);
  }

  /** Counts one raw value. */
  add(value: unknown, weight = 1): void {
    const name = categoryOf(value);
    if (name === undefined) {
      this.missing += weight;
      return;
    }
    const at = this.index.get(name);
    if (at !== undefined) this.counts[at] += weight;
    else if (this.rareSet.has(name)) this.other += weight;
    else this.addUnseen(name, weight);
  }

  private addUnseen(name: string, weight: number): void {
    this.unseen += weight;
    const seen = this.unseenByName.get(name);
    if (seen !== undefined) this.unseenByName.set(name, seen + weight);
    else if (this.unseenByName.size < MAX_UNSEEN_NAMES) this.unseenByName.set(name, weight);
  }

  /** Values counted, missing ones included. */
  get total(): number {
    let sum = this.other + this.unseen + this.missing;
    for (let i = 0; i < this.counts.length; i++) sum += this.counts[i];
    return sum;
  }

  /** Adds another sketch of the same input (same top categories). */
  merge(other: CategorySketch | CategorySketchJSON): this {
    const json = other instanceof CategorySketch ? other.toJSON() : other;
    if (json.categories.length !== this.categories.length || json.categories.some((c, i) => c !== this.categories[i])) {
      throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'Cannot merge category sketches with different categories', {
        field: 'categories',
        reason: 'mismatch',
      });
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += json.counts[i];
    this.other += json.other;
    this.missing += json.missing;
    // the total first, then the names (an unseen name beyond the bound is still counted)
    this.unseen += json.unseen;
    json.unseenNames.forEach((name, i) => {
      const seen = this.unseenByName.get(name);
      if (seen !== undefined) this.unseenByName.set(name, seen + json.unseenCounts[i]);
      else if (this.unseenByName.size < MAX_UNSEEN_NAMES) this.unseenByName.set(name, json.unseenCounts[i]);
    });
    return this;
  }

  /** Plain JSON; `rare` only when asked (a baseline's, not every window's). */
  toJSON(options: { readonly rare?: boolean } = {}): CategorySketchJSON {
    const unseen = [...this.unseenByName].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return {
      categories: [...this.categories],
      counts: Array.from(this.counts),
      other: this.other,
      unseen: this.unseen,
      unseenNames: unseen.map(([name]) => name),
      unseenCounts: unseen.map(([, n]) => n),
      missing: this.missing,
      ...(options.rare ? { rare: [...this.rare] } : {}),
    };
  }

  /** Rebuilds a sketch from {@link CategorySketch.toJSON} output. */
  static fromJSON(json: CategorySketchJSON): CategorySketch {
    return new CategorySketch(json).merge(json);
  }

  /**
   * A baseline's sketch of raw values: the `top` most frequent categories (ties by name) one by one, the
   * others as "other" with their names kept (the most frequent {@link MAX_RARE}), missing values counted.
   */
  static fromValues(values: Iterable<unknown>, top = TOP_CATEGORIES): CategorySketch {
    const counts = new Map<string, number>();
    let missing = 0;
    for (const value of values) {
      const name = categoryOf(value);
      if (name === undefined) missing++;
      else counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const kept = ranked.slice(0, top);
    const rare = ranked.slice(top, top + MAX_RARE);
    const sketch = new CategorySketch({ categories: kept.map(([c]) => c), rare: rare.map(([c]) => c) });
    kept.forEach(([, n], i) => {
      sketch.counts[i] = n;
    });
    // every name past `top` is "other" in the baseline, named or not
    for (let i = top; i < ranked.length; i++) sketch.other += ranked[i][1];
    sketch.missing = missing;
    return sketch;
  }
}
