import type { BinnedHistogramJSON } from '../sketches/BinnedHistogram.ts';

/**
 * How much the drift values vary across chunks of the reference itself (NannyML's thresholds): each of
 * 10 consecutive chunks of the training rows compared with the whole baseline, as a device window would
 * be. Shipped in the baseline; `compare(…, { thresholds: 'reference' })` reads bands from it.
 */
export interface ReferenceChunksJSON {
  /** Rows per chunk. */
  readonly chunkSize: number;
  /** Per feature column: its drift value (KS D or normalised Wasserstein, the statistic `compare` picks) per chunk. */
  readonly features: Readonly<Record<string, readonly number[]>>;
  /** Classifiers with labels: the calibrated label-free accuracy estimate of each chunk. */
  readonly estimatedAccuracy?: readonly number[];
}

/**
 * Accuracy of the labelled training rows per cell of the confidence histogram (the baseline's
 * `outputs.confidence` edges): what a window's confidence histogram maps to an accuracy estimate by.
 */
export interface ConfidenceCalibrationJSON {
  readonly counts: readonly number[];
  readonly correct: readonly number[];
}

/** A reference band for a window of `rows` rows: see {@link referenceBand}. */
export interface ReferenceBand {
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
}

/**
 * The band mean ± 3σ of the chunks' values, for a window of `rows` rows: σ (population, as NannyML) is
 * that of a chunk of `chunkSize` rows, scaled by `√(chunkSize / rows)` as a mean's σ is; `scaleMean`
 * scales the mean too (a distance's level under no drift also shrinks as `1/√rows`). Exactly NannyML's
 * band when the window is one chunk.
 */
export function referenceBand(values: readonly number[], chunkSize: number, rows: number, scaleMean = false): ReferenceBand | undefined {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2 || !(chunkSize > 0) || !(rows > 0)) return undefined;
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  const std = Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / finite.length);
  const factor = Math.sqrt(chunkSize / rows);
  const centre = scaleMean ? mean * factor : mean;
  return { mean: centre, lower: centre - 3 * std * factor, upper: centre + 3 * std * factor };
}

/**
 * The label-free accuracy estimate of a window, calibrated on the reference: each confidence cell's
 * share of the window times the reference's accuracy in that cell (a cell no labelled training row fell
 * in reads `fallback`, the reference's overall accuracy). A calibrated classifier's mean confidence would
 * say the same; a miscalibrated one's does not, this does.
 */
export function calibratedAccuracy(confidence: BinnedHistogramJSON, calibration: ConfidenceCalibrationJSON, fallback: number): number | undefined {
  if (calibration.counts.length !== confidence.counts.length) return undefined;
  let n = 0;
  let sum = 0;
  for (let i = 0; i < confidence.counts.length; i++) {
    const w = confidence.counts[i];
    if (w === 0) continue;
    n += w;
    sum += w * (calibration.counts[i] > 0 ? calibration.correct[i] / calibration.counts[i] : fallback);
  }
  return n > 0 ? sum / n : undefined;
}
