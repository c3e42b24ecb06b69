import type { QualityJSON } from './quality/QualitySketch.ts';
import type { CategoricalCountsJSON } from './sketches/CategoricalCounts.ts';
import type { CategorySketchJSON } from './sketches/CategorySketch.ts';
import type { FeatureSketchJSON } from './sketches/FeatureSketch.ts';
import type { PcaReconstructionJSON } from './multivariate/PcaReconstruction.ts';
import type { ConfidenceCalibrationJSON, ReferenceChunksJSON } from './reference/ReferenceChunks.ts';

/** Schema id of {@link Baseline}. */
export const BASELINE_SCHEMA = 'edgewatch.baseline/v1';

/** Sketches of a model's outputs: the same shape in baselines and in on-device windows. */
export type OutputSketchJSON =
  | {
      readonly kind: 'classification';
      /** Predicted class (argmax) counts over the model's labels. */
      readonly classes: CategoricalCountsJSON;
      /** Max probability per prediction: its mean is the expected accuracy of a calibrated classifier. */
      readonly confidence: FeatureSketchJSON;
      /** Probability of each class, by label. */
      readonly scores: Readonly<Record<string, FeatureSketchJSON>>;
    }
  | {
      readonly kind: 'regression';
      /** Each output, by name (`output` for a single unnamed one). */
      readonly values: Readonly<Record<string, FeatureSketchJSON>>;
    };

/**
 * The training baseline that ships with a model version: the same sketches the device keeps, computed
 * over the training rows by the CLI. Its histogram edges (training quantiles) are the edges every
 * on-device window uses, so window and baseline histograms line up bin for bin.
 */
export interface Baseline {
  readonly schema: typeof BASELINE_SCHEMA;
  /** Training rows it describes. */
  readonly rows: number;
  /** Where the rows came from (data set, years). */
  readonly source?: string;
  /** Per model feature column (the compiled spec's `columns`). */
  readonly features: Readonly<Record<string, FeatureSketchJSON>>;
  /**
   * Per categorical raw input (the spec's category and boolean inputs, see `categoricalInputs`): its
   * top categories, the rare names behind "other", and counts. Absent in baselines built before it.
   */
  readonly categories?: Readonly<Record<string, CategorySketchJSON>>;
  readonly outputs: OutputSketchJSON;
  /**
   * Multivariate drift model fitted on the training rows' features (PCA reconstruction, NannyML's): the
   * device computes each sketched row's reconstruction error. Absent in baselines built before it.
   */
  readonly multivariate?: PcaReconstructionJSON;
  /** How the drift values (and the accuracy estimate) vary across chunks of the training rows: NannyML-style thresholds. */
  readonly reference?: ReferenceChunksJSON;
  /** Classifiers with labels: training accuracy per confidence cell, for the calibrated label-free accuracy estimate. */
  readonly calibration?: ConfidenceCalibrationJSON;
  /** Quality on the training rows with their true labels: reference for accuracy and label drift. */
  readonly quality?: QualityJSON;
}
