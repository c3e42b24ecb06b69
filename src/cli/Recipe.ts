import type * as tfTypes from '@tensorflow/tfjs';
import type { FeatureSpec, RawRecord } from '../features/FeatureSpec.ts';
import type { OutputSpec } from '../registry/Manifest.ts';

/**
 * What `edgewatch retrain` hands a training recipe (`--recipe ./train.mjs`, a module exporting
 * `async function train(input)`): the training rows, the feature spec refitted on them, the rows through
 * that spec, and the labels.
 */
export interface RecipeInput {
  /** `@tensorflow/tfjs`, on the CPU backend (deterministic: plain JS arithmetic). */
  readonly tf: typeof tfTypes;
  /** The training records (the holdout is not among them). */
  readonly records: readonly RawRecord[];
  /** The champion's feature spec refitted on `records`. */
  readonly spec: FeatureSpec;
  /** `records` through `spec`: row-major `[rows, width]`. */
  readonly x: Float32Array;
  /** One label per row: the class index (classification) or the value (regression). */
  readonly y: Float32Array;
  readonly rows: number;
  readonly width: number;
  /** The champion's outputs (labels in order). */
  readonly outputs: OutputSpec;
  /** `--seed`: seed every initialiser and shuffle with it, and the same inputs give the same bytes. */
  readonly seed: number;
}

/** What a recipe returns. */
export interface RecipeResult {
  /** The trained model, input `[null, width]`, one output column per label (or regression name). */
  readonly model: tfTypes.LayersModel;
  /** Outputs when they differ from the champion's. */
  readonly outputs?: OutputSpec;
}

/** A training recipe module. */
export interface Recipe {
  train(input: RecipeInput): Promise<RecipeResult>;
}
