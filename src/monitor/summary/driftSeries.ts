import { EdgewatchError, ErrorCode } from '../../errors.ts';
import type { Baseline } from '../Baseline.ts';
import { DriftVerdict } from '../drift/detectDrift.ts';
import { type QualityMetrics, qualityMetrics } from '../quality/qualityMetrics.ts';
import { mergeWindows, type WindowSketchJSON } from '../WindowSketch.ts';
import { type CompareOptions, compare } from './compare.ts';

/** Schema id of {@link DriftSeries}. */
export const SERIES_SCHEMA = 'edgewatch.drift-series/v1';

/** One bucket's drift against the baseline: the same rules as the whole window's report, on the bucket's sketches. */
export interface BucketDrift {
  /** Features compared with the baseline. */
  readonly features: number;
  /** Features with a verdict (the others had fewer values than the minimum sample size). */
  readonly judged: number;
  readonly driftedFeatures: readonly string[];
  /** Smallest KS p-value of the bucket's features (Benjamini–Hochberg adjusted where it was), if any was tested. */
  readonly minPValue?: number;
  /** The bucket's overall verdict: a feature, the predictions or label feedback drifted. */
  readonly drift: boolean;
  readonly predictionDrift: boolean;
  readonly conceptDrift: boolean;
}

/** One non-empty bucket of a {@link DriftSeries}. */
export interface DriftSeriesPoint {
  /** Bucket bounds, ms since epoch; `end` is later than `start + bucketMs` only for a stored row longer than a bucket (a day row in hourly buckets). */
  readonly start: number;
  readonly end: number;
  readonly predictions: number;
  /** Label-feedback quality of the predictions made in the bucket (`labelled: 0` before any label). */
  readonly quality: QualityMetrics;
  /** Drift against the baseline; absent when the version ships none. */
  readonly drift?: BucketDrift;
}

/**
 * One model version's drift and quality over time: a point per bucket of `bucketMs` (aligned to the epoch,
 * UTC) that holds any window, oldest first. Buckets are no finer than the stored rows: hourly (the
 * monitor's window) for the last 48 h, daily after.
 */
export interface DriftSeries {
  readonly schema: typeof SERIES_SCHEMA;
  readonly model: string;
  readonly version: string;
  readonly bucketMs: number;
  readonly points: readonly DriftSeriesPoint[];
  /** The baseline's quality (holdout labels), to draw the per-bucket quality against. */
  readonly baselineQuality?: QualityMetrics;
}

/** @throws EdgewatchError `INPUT_INVALID` unless `bucketMs` is a positive finite number. */
export function checkBucketMs(bucketMs: unknown): number {
  if (typeof bucketMs !== 'number' || !Number.isFinite(bucketMs) || bucketMs <= 0) {
    throw new EdgewatchError(ErrorCode.INPUT_INVALID, `bucketMs must be a positive number of milliseconds, not ${String(bucketMs)}`, {
      field: 'bucketMs',
      reason: 'range',
    });
  }
  return bucketMs;
}

/**
 * Groups windows of one model version by the `bucketMs` bucket their start falls in and merges each
 * group (sketches merge exactly): one window per non-empty bucket, oldest first.
 *
 * @throws EdgewatchError `INPUT_INVALID` for a `bucketMs` that is not a positive number.
 */
export function bucketWindows(windows: readonly WindowSketchJSON[], bucketMs: number): WindowSketchJSON[] {
  checkBucketMs(bucketMs);
  const groups = new Map<number, WindowSketchJSON[]>();
  for (const w of windows) {
    const start = Math.floor(w.start / bucketMs) * bucketMs;
    const group = groups.get(start);
    if (group) group.push(w);
    else groups.set(start, [w]);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => mergeWindows(group));
}

function bucketDrift(window: WindowSketchJSON, baseline: Baseline, options?: CompareOptions): BucketDrift {
  const report = compare(window, baseline, options);
  const pValues = report.features.flatMap((f) => {
    const p = f.adjustedPValue ?? f.pValue;
    return f.verdict !== DriftVerdict.INSUFFICIENT_DATA && p !== undefined ? [p] : [];
  });
  const predictionDrift =
    report.prediction.kind === 'classification'
      ? report.prediction.classes.verdict === DriftVerdict.DRIFT || report.prediction.confidence.verdict === DriftVerdict.DRIFT
      : report.prediction.outputs.some((o) => o.verdict === DriftVerdict.DRIFT);
  return {
    features: report.features.length,
    judged: report.features.filter((f) => f.verdict !== DriftVerdict.INSUFFICIENT_DATA).length,
    driftedFeatures: report.driftedFeatures,
    ...(pValues.length > 0 ? { minPValue: Math.min(...pValues) } : {}),
    drift: report.drift,
    predictionDrift,
    conceptDrift: report.quality.conceptDrift,
  };
}

/**
 * The series of per-bucket windows (see {@link bucketWindows}): each bucket's quality, and with a
 * baseline its drift by the rules of `compare` (minimum sample size per bucket, so a quiet bucket has
 * no verdict rather than a noisy one). Pure: the same windows give the same series anywhere.
 */
export function driftSeries(buckets: readonly WindowSketchJSON[], bucketMs: number, baseline?: Baseline, options?: CompareOptions): DriftSeries | undefined {
  checkBucketMs(bucketMs);
  if (buckets.length === 0) return undefined;
  const points = buckets.map(
    (w): DriftSeriesPoint => ({
      start: Math.floor(w.start / bucketMs) * bucketMs,
      end: Math.max(w.end, Math.floor(w.start / bucketMs) * bucketMs + bucketMs),
      predictions: w.predictions,
      quality: qualityMetrics(w.quality),
      ...(baseline ? { drift: bucketDrift(w, baseline, options) } : {}),
    }),
  );
  return {
    schema: SERIES_SCHEMA,
    model: buckets[0].model,
    version: buckets[0].version,
    bucketMs,
    points,
    ...(baseline?.quality ? { baselineQuality: qualityMetrics(baseline.quality) } : {}),
  };
}
