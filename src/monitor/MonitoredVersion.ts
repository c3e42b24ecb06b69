import type { ColumnReduction } from './reduceWideColumns.ts';
import type { SketchLayout } from './WindowSketch.ts';

/** A model version as the monitor needs it. */
export interface MonitoredVersion {
  readonly model: string;
  readonly version: string;
  readonly layout: SketchLayout;
  /** For very wide specs (images, embeddings): how a feature batch is summarised before it is sketched. */
  readonly reduction?: ColumnReduction;
}
