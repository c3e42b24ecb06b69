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
} as const;
/** One of {@link InputType}. */
export type InputType = (typeof InputType)[keyof typeof InputType];

/** One raw field of the app's record. */
export interface InputSpec {
  /** Property name on the raw record. */
  readonly name: string;
  readonly type: InputType;
  /** A missing value is an `INPUT_INVALID` error unless this is `false` or `nullable` is true. Default true. */
  readonly required?: boolean;
  /** `null`/absent is allowed and must be handled by an `impute` step. */
  readonly nullable?: boolean;
  /** Inclusive numeric range (number inputs); outside it the record is rejected. */
  readonly min?: number;
  readonly max?: number;
}

/** Replace missing values (NaN) with a fitted or constant value. */
export interface ImputeStep { readonly op: 'impute'; readonly strategy: 'mean' | 'median' | 'constant'; readonly value?: number }
/** `ln(1 + x)`, for skewed non-negative quantities such as precipitation. */
export interface Log1pStep { readonly op: 'log1p' }
/** Clamp to `[min, max]`. */
export interface ClipStep { readonly op: 'clip'; readonly min: number; readonly max: number }
/** `(x - mean) / std`, parameters fitted on training rows. */
export interface StandardizeStep { readonly op: 'standardize'; readonly mean?: number; readonly std?: number }
/** `(x - min) / (max - min)`, parameters fitted on training rows. */
export interface MinMaxStep { readonly op: 'minMax'; readonly min?: number; readonly max?: number }
/** Calendar part of a timestamp (UTC), optionally encoded as `sin`/`cos` of its phase (2 columns). */
export interface DatePartStep {
  readonly op: 'datePart';
  readonly part: 'month' | 'dayOfWeek' | 'hour' | 'dayOfYear';
  readonly cyclical?: boolean;
}
/** One column per known category, plus one out-of-vocabulary column when `oov` is true. */
export interface OneHotStep { readonly op: 'oneHot'; readonly vocabulary?: readonly string[]; readonly oov?: boolean }

/** A transform step: a union keyed by `op`. */
export type TransformStep = ImputeStep | Log1pStep | ClipStep | StandardizeStep | MinMaxStep | DatePartStep | OneHotStep;

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
