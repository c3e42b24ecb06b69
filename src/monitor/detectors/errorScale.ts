import type { QualityJSON } from '../quality/QualitySketch.ts';

/**
 * Standard deviation of the error signal the change detectors read, from label-feedback sums (the
 * training baseline's `quality`): `√(p(1−p))` of the 0/1 error for a classifier with error rate `p`,
 * `√(RMSE² − MAE²)` of the absolute error for a regressor. Undefined when it cannot be known (no
 * labels, or no spread), so a detector falls back to its running estimate.
 */
export function errorScale(quality: QualityJSON | undefined): number | undefined {
  if (!quality || quality.labelled === 0) return undefined;
  const n = quality.labelled;
  const variance =
    quality.kind === 'classification' ? ((n - quality.correct) / n) * (quality.correct / n) : quality.squaredError / n - (quality.absError / n) ** 2;
  return variance > 0 && Number.isFinite(variance) ? Math.sqrt(variance) : undefined;
}
