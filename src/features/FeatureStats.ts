/**
 * Data-quality counters of a compiled pipeline, for monitoring: how often each input was missing, broken,
 * out of range or an unseen category, and how many of those were repaired by the input's `onInvalid`
 * policy rather than rejected. Rates are a count divided by `rows`.
 */

/** Counters of one input. A row counts at most once per counter. */
export interface InputCounts {
  /** Null/absent values, allowed (nullable) or not. */
  missing: number;
  /** Wrong type, non-finite number, unparsable timestamp, wrong-length or non-numeric `number[]`. */
  invalid: number;
  /** Outside the declared `[min, max]`. */
  outOfRange: number;
  /** A category outside the declared `values`. */
  unseen: number;
  /** Violations repaired by the input's policy (`impute`, `clip`) instead of rejected. */
  repaired: number;
}

/** Counters since the pipeline was compiled or since the last `takeStats()`. */
export interface FeatureStats {
  /** Records transformed successfully (a rejected batch counts nothing). */
  rows: number;
  /** Per input name. */
  inputs: Record<string, InputCounts>;
  /** Per feature name: values a one-hot step did not know (sent to its OOV column, or to all zeros). */
  oov: Record<string, number>;
}

/** All-zero counters. */
export function emptyInputCounts(): InputCounts {
  return { missing: 0, invalid: 0, outOfRange: 0, unseen: 0, repaired: 0 };
}
