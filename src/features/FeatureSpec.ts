/**
 * The declarative feature definition that ships with every model version. The same spec (and the
 * same code in `compile.ts`) turns raw records into model inputs in Node, for training and
 * baselines, and in the browser worker, for serving, so training and serving cannot drift apart.
 */

/** Raw input types a spec can declare. */
export const InputType = {
  number: 'number',
  category: 'category',
  boolean: 'boolean',
  timestamp: 'timestamp',
  /** Free text: tokenised by `tokenHash`, measured by `textLength`. */
  text: 'text',
  /** A fixed-length array of finite numbers (an embedding, a sensor frame); `length` is required. */
  vector: 'number[]',
} as const;
/** One of {@link InputType}. */
export type InputType = (typeof InputType)[keyof typeof InputType];

/**
 * What happens to a value that violates its input's declaration.
 * - `reject`: the batch fails with `INPUT_INVALID` naming field, row and reason (the default).
 * - `impute`: the value becomes missing (NaN, or null for categories and text), so the feature's own
 *   `impute` step (or one-hot OOV column) takes over.
 * - `clip`: out-of-range numbers are clamped to `[min, max]`; every other violation is treated as `impute`.
 *
 * Every repair is counted in the compiled pipeline's stats.
 */
export const InvalidPolicy = { reject: 'reject', impute: 'impute', clip: 'clip' } as const;
/** One of {@link InvalidPolicy}. */
export type InvalidPolicy = (typeof InvalidPolicy)[keyof typeof InvalidPolicy];

/** One raw field of the app's record. */
export interface InputSpec {
  /** Property name on the raw record. */
  readonly name: string;
  readonly type: InputType;
  /** A missing value is a violation unless this is `false` or `nullable` is true. Default true. */
  readonly required?: boolean;
  /** `null`/absent is allowed and must be handled by an `impute` step. */
  readonly nullable?: boolean;
  /** Inclusive numeric range (number, timestamp in ms, and every element of a number[] input). */
  readonly min?: number;
  readonly max?: number;
  /** Allowed values of a category input; anything else is an unseen category. */
  readonly values?: readonly string[];
  /** Number of elements of a `number[]` input. */
  readonly length?: number;
  /** How violations are handled; default `reject`. */
  readonly onInvalid?: InvalidPolicy;
}

/** Replace missing values (NaN) with a fitted or constant value. */
export interface ImputeStep {
  readonly op: 'impute';
  readonly strategy: 'mean' | 'median' | 'constant';
  readonly value?: number;
}
/** `ln(1 + x)`, for skewed non-negative quantities such as precipitation. */
export interface Log1pStep {
  readonly op: 'log1p';
}
/** Clamp to `[min, max]`. */
export interface ClipStep {
  readonly op: 'clip';
  readonly min: number;
  readonly max: number;
}
/** `(x - mean) / std`, parameters fitted on training rows. */
export interface StandardizeStep {
  readonly op: 'standardize';
  readonly mean?: number;
  readonly std?: number;
}
/** `(x - min) / (max - min)`, parameters fitted on training rows. */
export interface MinMaxStep {
  readonly op: 'minMax';
  readonly min?: number;
  readonly max?: number;
}
/** `(x - median) / IQR` (interquartile range, linear-interpolated quartiles): outliers barely move it. */
export interface RobustScaleStep {
  readonly op: 'robustScale';
  readonly median?: number;
  readonly iqr?: number;
}
/**
 * Bucket index of a number: bucket `i` holds `boundaries[i-1] <= x < boundaries[i]`, so there are
 * `boundaries.length + 1` buckets. Boundaries are given, or fitted as the `i/buckets` quantiles of the
 * training values. `output: 'index'` (default) rewrites the column with the index; `'oneHot'` writes
 * one column per bucket and must be the last step.
 */
export interface BucketizeStep {
  readonly op: 'bucketize';
  readonly boundaries?: readonly number[];
  /** Number of quantile buckets to fit when `boundaries` is absent. */
  readonly buckets?: number;
  readonly output?: 'index' | 'oneHot';
}
/** Calendar part of a timestamp (UTC), optionally encoded as `sin`/`cos` of its phase (2 columns). */
export interface DatePartStep {
  readonly op: 'datePart';
  readonly part: 'month' | 'dayOfWeek' | 'hour' | 'dayOfYear';
  readonly cyclical?: boolean;
}
/** One column per known category, plus one out-of-vocabulary column when `oov` is true. */
export interface OneHotStep {
  readonly op: 'oneHot';
  readonly vocabulary?: readonly string[];
  readonly oov?: boolean;
}
/**
 * A category hashed (FNV-1a over UTF-8, with `seed`) into `buckets` buckets: no vocabulary to ship, unseen
 * values still land somewhere. `output: 'oneHot'` (default) writes `buckets` columns; `'index'` the bucket number.
 */
export interface HashStep {
  readonly op: 'hash';
  readonly buckets: number;
  readonly seed?: number;
  readonly output?: 'index' | 'oneHot';
}
/**
 * The pair (this feature's category, input `with`'s category) hashed into `buckets` buckets: a learned
 * interaction such as city × device without a vocabulary of every pair.
 */
export interface CrossStep {
  readonly op: 'cross';
  /** Name of the second category input. */
  readonly with: string;
  readonly buckets: number;
  readonly seed?: number;
  readonly output?: 'index' | 'oneHot';
}
/** Length of a text: Unicode code points (`chars`, default) or tokens (as `tokenHash` splits them). */
export interface TextLengthStep {
  readonly op: 'textLength';
  readonly unit?: 'chars' | 'tokens';
}
/**
 * Bag of hashed tokens: `buckets` columns, each the count (or, with `binary`, presence) of the tokens that
 * hash there. Tokens are runs of characters between whitespace and ASCII punctuation; ASCII letters are
 * lower-cased.
 */
export interface TokenHashStep {
  readonly op: 'tokenHash';
  readonly buckets: number;
  readonly seed?: number;
  readonly binary?: boolean;
}
/** A `number[]` input copied as-is into `length` columns (after any elementwise in-place steps). */
export interface PassThroughStep {
  readonly op: 'passThrough';
}

/** A transform step: a union keyed by `op`. */
export type TransformStep =
  | ImputeStep
  | Log1pStep
  | ClipStep
  | StandardizeStep
  | MinMaxStep
  | RobustScaleStep
  | BucketizeStep
  | DatePartStep
  | OneHotStep
  | HashStep
  | CrossStep
  | TextLengthStep
  | TokenHashStep
  | PassThroughStep;

/** One named model feature: an input run through a chain of steps. */
export interface FeatureDef {
  readonly name: string;
  /** Name of the {@link InputSpec} it reads. */
  readonly input: string;
  readonly steps: readonly TransformStep[];
}

/** A whole feature definition. `fitted` is true once `fit()` filled in every parameter. */
export interface FeatureSpec {
  readonly schema: 'edgewatch.features/v1';
  readonly inputs: readonly InputSpec[];
  readonly features: readonly FeatureDef[];
  readonly fitted?: boolean;
}

/** A raw app record: plain properties, as the app has them. */
export type RawRecord = Readonly<Record<string, unknown>>;
