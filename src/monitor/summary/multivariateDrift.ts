import type { Baseline } from '../Baseline.ts';
import { DriftVerdict } from '../drift/detectDrift.ts';
import type { WindowSketchJSON } from '../WindowSketch.ts';
import type { MultivariateDrift } from './DriftReport.ts';

/** Mean ± `width`σ of the reference chunks' errors (population σ, as NannyML's thresholds). */
function band(chunks: readonly number[]): { mean: number; std: number } {
  const mean = chunks.reduce((a, b) => a + b, 0) / chunks.length;
  const std = Math.sqrt(chunks.reduce((a, b) => a + (b - mean) ** 2, 0) / chunks.length);
  return { mean, std };
}

/**
 * The window's mean reconstruction error against the reference chunks' mean ± 3σ (see
 * {@link MultivariateDrift}); undefined without a model, or with fewer than `minSampleSize` rows.
 */
export function multivariateDrift(window: WindowSketchJSON, baseline: Baseline, minSampleSize: number): MultivariateDrift | undefined {
  const model = baseline.multivariate;
  const errors = window.reconstruction;
  if (!model || !errors || !Array.isArray(model.chunks) || model.chunks.length === 0) return undefined;
  const base = { statistic: 'pca-reconstruction' as const, rows: errors.count, chunkSize: model.chunkSize };
  const { mean, std } = band(model.chunks);
  const half = 3 * std * Math.sqrt(model.chunkSize / Math.max(1, errors.count));
  const lower = mean - half;
  const upper = mean + half;
  const verdict =
    errors.count < minSampleSize ? DriftVerdict.INSUFFICIENT_DATA : errors.mean < lower || errors.mean > upper ? DriftVerdict.DRIFT : DriftVerdict.NO_DRIFT;
  return { ...base, error: errors.mean, referenceError: mean, lower, upper, verdict };
}
