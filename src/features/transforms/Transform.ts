import type { TransformStep } from '../FeatureSpec.ts';

/** A column of values between steps: numbers (NaN = missing) or category strings (null = missing). */
export type Column = Float64Array | (string | null)[];

/**
 * A transform as a small described object. Steps work on whole columns, so the hot path is one tight
 * loop per step rather than a closure call per value.
 */
export interface Transform<S extends TransformStep = TransformStep> {
  readonly op: S['op'];
  /** What the step consumes. */
  readonly accepts: 'number' | 'category';
  /** Output columns this step produces, or 0 for a step that rewrites its numeric column in place. */
  width(step: S): number;
  /** Returns the step with its parameters computed from training values. Absent: nothing to fit. */
  fit?(step: S, column: Column, rows: number): S;
  /** True when every parameter the step needs is present. */
  isFitted(step: S): boolean;
  /** In-place steps: rewrite `column[0..rows)`. */
  apply?(step: S, column: Float64Array, rows: number): void;
  /** Expanding steps: write `width` values per row into `out` at `row * stride + offset`. */
  write?(step: S, column: Column, rows: number, out: Float32Array, stride: number, offset: number): void;
}
