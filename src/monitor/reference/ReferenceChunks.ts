import type { BinnedHistogramJSON } from '../sketches/BinnedHistogram.ts';

/**
 * How much the drift values vary across chunks of the reference itself (NannyML's thresholds): each of
 * 10 consecutive chunks of the training rows compared with the whole baseline, as a device window would
 * be. Shipped in the baseline; `compare(…, { thresholds: 'reference' })` reads bands from it.
 */
export interface ReferenceChunksJSON {
  /** Rows per chunk. */
  readonly chunkSize: number;
  /**
   * Per feature column: its drift value (KS D or normalised Wasserstein, the statistic `compare` picks)
   * per chunk, each chunk against the rest of the reference (histogram counts subtract exactly), so that
   * a chunk is not compared with itself.
   */
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

/** A reference band for a window: see {@link referenceBand}. */
export interface ReferenceBand {
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
}

/**
 * The band mean ± 3σ of the chunks' values (population σ, as NannyML), both scaled by `factor`: how the
 * statistic's spread for the window compares with a chunk's (see {@link distanceScale}, or
 * `√(chunkSize / rows)` for a mean); `factor` 1 is NannyML's band for a window of one chunk.
 */
export function referenceBand(values: readonly number[], factor: number, scaleMean = false): ReferenceBand | undefined {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2 || !(factor > 0) || !Number.isFinite(factor)) return undefined;
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  const std = Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / finite.length);
  const centre = scaleMean ? mean * factor : mean;
  return { mean: centre, lower: centre - 3 * std * factor, upper: centre + 3 * std * factor };
}

/**
 * How a two-sample distance under no drift scales from a chunk to a window: as `√(1/n₁ + 1/n₂)`. Each
 * chunk was compared with the rest of the reference (`chunkSize` against `reference − chunkSize` rows),
 * a window is compared with all of it (`rows` against `reference`).
 */
export function distanceScale(chunkSize: number, reference: number, rows: number): number {
  return Math.sqrt((1 / rows + 1 / reference) / (1 / chunkSize + 1 / Math.max(1, reference - chunkSize)));
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
