import { CALIBRATION_BINS, type QualityJSON } from './QualitySketch.ts';

/** Metrics derived from {@link QualityJSON} sums; undefined where no label has arrived. */
export interface QualityMetrics {
  readonly labelled: number;
  readonly accuracy?: number;
  readonly logLoss?: number;
  readonly brier?: number;
  /** Expected calibration error: Σ_b (n_b/N)·|accuracy_b − confidence_b| over 10 confidence bins. */
  readonly expectedCalibrationError?: number;
  readonly mae?: number;
  readonly rmse?: number;
}

/** Turns quality sums into per-window metrics. */
export function qualityMetrics(quality: QualityJSON): QualityMetrics {
  const n = quality.labelled;
  if (n === 0) return { labelled: 0 };
  if (quality.kind === 'regression') {
    return { labelled: n, mae: quality.absError / n, rmse: Math.sqrt(quality.squaredError / n) };
  }
  let ece = 0;
  for (let b = 0; b < CALIBRATION_BINS; b++) {
    const count = quality.calibration.count[b];
    if (count > 0) ece += Math.abs(quality.calibration.correct[b] - quality.calibration.confidence[b]) / n;
  }
  return {
    labelled: n,
    accuracy: quality.correct / n,
    logLoss: quality.logLoss / n,
    brier: quality.brier / n,
    expectedCalibrationError: ece,
  };
}
