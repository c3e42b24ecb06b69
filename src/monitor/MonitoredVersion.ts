import type { ColumnReduction } from './reduceWideColumns.ts';
import type { SketchLayout } from './WindowSketch.ts';

/** A model version as the monitor needs it. */
export interface MonitoredVersion {
  readonly model: string;
  readonly version: string;
  readonly layout: SketchLayout;
  /** For very wide specs (images, embeddings): how a feature batch is summarised before it is sketched. */
  readonly reduction?: ColumnReduction;
  /**
   * Standard deviation of the label-feedback error signal on the training rows (`errorScale` of the
   * baseline's quality): the change detectors standardise by it, so their alarm rate does not depend on
   * the target's units. Absent: they estimate it from the first errors.
   */
  readonly errorScale?: number;
}
