import type { InputSpec, TransformStep } from '../FeatureSpec.ts';

/**
 * A column of values between steps: numbers (NaN = missing; a `number[]` input is `rows × length`,
 * row-major) or strings for category and text inputs (null = missing).
 */
export type Column = Float64Array | (string | null)[];

/** What flows between steps: decides which steps may follow which. */
export const ColumnKind = { number: 'number', category: 'category', text: 'text', vector: 'vector' } as const;
/** One of {@link ColumnKind}. */
export type ColumnKind = (typeof ColumnKind)[keyof typeof ColumnKind];

/**
 * Where a step sits in a feature's chain: `convert` (strings → one number per row, first), then any
 * number of `map` (numbers rewritten in place), then at most one `write` (last; writes its own columns).
 */
export const TransformStage = { convert: 'convert', map: 'map', write: 'write' } as const;
/** One of {@link TransformStage}. */
export type TransformStage = (typeof TransformStage)[keyof typeof TransformStage];

/**
 * A transform as a small described object. Steps work on whole columns, so the hot path is one tight
 * loop per step rather than a closure call per value.
 */
export interface Transform<S extends TransformStep = TransformStep> {
  readonly op: S['op'];
  /** Column kinds the step consumes. */
  readonly accepts: readonly ColumnKind[];
  /** The step's stage; may depend on its options (e.g. `output: 'index' | 'oneHot'`). */
  stage(step: S): TransformStage;
  /** Output columns of a `write` step (0 for the others). */
  width(step: S, input: InputSpec): number;
  /** Names of a `write` step's output columns, e.g. `weather=rain`. */
  columns?(step: S, feature: string, input: InputSpec): string[];
  /** Returns the step with its parameters computed from `count` training values. Absent: nothing to fit. */
  fit?(step: S, column: Column, count: number): S;
  /** True when every parameter the step needs is present. */
  isFitted(step: S): boolean;
  /** `map` steps: rewrite `column[0..count)` (count = rows × elements for `number[]` inputs). */
  apply?(step: S, column: Float64Array, count: number): void;
  /** `convert` steps: one number per row into `out`. `paired` is the second input's column (cross features). */
  convert?(step: S, column: (string | null)[], rows: number, out: Float64Array, paired?: (string | null)[]): void;
  /**
   * `write` steps: `width` values per row into `out` at `row * stride + offset`. Returns how many rows fell
   * outside what the step knows (one-hot out-of-vocabulary), for monitoring; nothing when that means nothing.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: most write steps count nothing and return nothing
  write?(step: S, column: Column, rows: number, out: Float32Array, stride: number, offset: number, paired?: (string | null)[]): number | void;
}
