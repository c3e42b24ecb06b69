/**
 * `edgewatch baseline`: the training baseline of a model version, computed with the very sketches the
 * device keeps, so that on-device windows and the baseline compare bin for bin and bucket for bucket.
 *
 * It describes the MODEL FEATURES (the compiled spec's columns), not the raw record fields: they are what
 * the worker already holds as one Float32Array after `features.transform`, so the hot path needs no second
 * pass over JS objects; they include what imputation and clipping did, i.e. what the model really saw; and
 * the statistics used (KS, quantile-bin PSI, Wasserstein over the baseline's spread) do not change under the
 * monotone per-column transforms of a spec, so drift in a standardised column is drift in its input.
 * Missing raw values are counted separately on the device (health: repaired by input).
 */
import type { OutputSpec } from '../registry/Manifest.ts';
import { BASELINE_SCHEMA, type Baseline } from '../monitor/Baseline.ts';
import { BinnedHistogram } from '../monitor/sketches/BinnedHistogram.ts';
import { CategorySketch, TOP_CATEGORIES } from '../monitor/sketches/CategorySketch.ts';
import { fitPcaReconstruction } from '../monitor/multivariate/fitPcaReconstruction.ts';
import { type SketchLayout, sketchLayout, WindowSketch } from '../monitor/WindowSketch.ts';
import type { ConfidenceCalibrationJSON, ReferenceChunksJSON } from '../monitor/reference/ReferenceChunks.ts';
import { compare } from '../monitor/summary/compare.ts';
import { ksFromHistograms, wassersteinFromHistograms } from '../monitor/drift/histogramDistances.ts';
import { argmaxFinite } from '../monitor/topClasses.ts';
import { EdgewatchError, ErrorCode } from '../errors.ts';

/** What {@link computeBaseline} reads: the training rows' features and the model's outputs on them. */
export interface BaselineInput {
  /** Model feature columns (the compiled spec's `columns`). */
  readonly columns: readonly string[];
  /** Row-major `[rows, columns.length]`. */
  readonly features: ArrayLike<number>;
  readonly rows: number;
  readonly outputs: OutputSpec;
  /** Row-major `[rows, outputs]` model outputs on the same rows. */
  readonly scores: ArrayLike<number>;
  /** True class index (classification) or true value (regression) per row, for the reference quality. */
  readonly labels?: ArrayLike<number>;
  /** Quantile bins per histogram. Default 10. */
  readonly bins?: number;
  readonly source?: string;
  /** Raw values of the spec's categorical inputs (`categoricalInputs`), one per row: counted by category. */
  readonly categories?: readonly { readonly name: string; readonly values: readonly unknown[] }[];
  /** Top categories kept per categorical input. Default {@link TOP_CATEGORIES}. */
  readonly topCategories?: number;
  /** Fit the multivariate (PCA reconstruction) model on the features. Default true. */
  readonly multivariate?: boolean;
}

function sortedColumn(values: ArrayLike<number>, rows: number, width: number, column: number): Float64Array {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const v = values[r * width + column];
    if (Number.isFinite(v)) out.push(v);
  }
  return Float64Array.from(out).sort();
}

/**
 * Computes a version's {@link Baseline}: bin edges at the training quantiles of every feature column and
 * output, then the full sketches (moments, histograms, DDSketch, class counts, confidence) of the training
 * rows, and — given labels — the training quality. Pure: runs in Node (the CLI) and in the browser.
 *
 * @throws EdgewatchError `INPUT_INVALID` when array sizes do not match `rows`.
 */
export function computeBaseline(input: BaselineInput): Baseline {
  const { columns, rows, outputs } = input;
  const bins = input.bins ?? 10;
  const width = columns.length;
  const outputNames = outputs.kind === 'classification' ? outputs.labels : outputs.names?.length ? outputs.names : ['output'];
  const outWidth = outputNames.length;
  if (input.features.length !== rows * width || input.scores.length !== rows * outWidth) {
    throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'features/scores do not match rows × columns', { field: 'features', reason: 'shape' });
  }
  const edges = (values: ArrayLike<number>, w: number, c: number) => {
    const sorted = sortedColumn(values, rows, w, c);
    return sorted.length > 0 ? BinnedHistogram.edgesFromSorted(sorted, bins) : [0];
  };
  const confidence: number[] = [];
  if (outputs.kind === 'classification') {
    for (let r = 0; r < rows; r++) {
      let best = -Infinity;
      for (let c = 0; c < outWidth; c++) best = Math.max(best, input.scores[r * outWidth + c]);
      confidence.push(best);
    }
  }
  const layout = sketchLayout(columns, outputs.kind === 'classification' ? outputs : { kind: 'regression', names: outputNames }, undefined, { scores: true });
  const window = new WindowSketch(
    {
      ...layout,
      edges: {
        features: Object.fromEntries(columns.map((c, i) => [c, edges(input.features, width, i)])),
        outputs: Object.fromEntries(outputNames.map((n, i) => [n, edges(input.scores, outWidth, i)])),
        ...(outputs.kind === 'classification' ? { confidence: edges(confidence, 1, 0) } : {}),
      },
    },
    'baseline',
    'baseline',
    0,
    0,
  );
  window.observe(input.features, input.scores, rows);
  if (input.labels) {
    for (let r = 0; r < rows; r++) {
      if (outputs.kind === 'classification') {
        window.quality.addClassification(Array.prototype.slice.call(input.scores, r * outWidth, (r + 1) * outWidth) as number[], input.labels[r]);
      } else {
        window.quality.addRegression(input.scores[r * outWidth], input.labels[r]);
      }
    }
  }
  const json = window.toJSON();
  const multivariate = input.multivariate === false ? undefined : fitPcaReconstruction(input.features, rows, columns);
  let calibration: ConfidenceCalibrationJSON | undefined;
  if (input.labels && outputs.kind === 'classification' && json.outputs.kind === 'classification') {
    const cells = new BinnedHistogram(json.outputs.confidence.histogram.edges);
    const counts = new Array<number>(cells.counts.length).fill(0);
    const correct = new Array<number>(cells.counts.length).fill(0);
    for (let r = 0; r < rows; r++) {
      if (!Number.isFinite(confidence[r])) continue;
      const cell = cells.bin(confidence[r]);
      counts[cell]++;
      if (argmaxFinite(input.scores, r * outWidth, outWidth) === input.labels[r]) correct[cell]++;
    }
    calibration = { counts, correct };
  }
  const baseline: Baseline = {
    schema: BASELINE_SCHEMA,
    rows,
    ...(input.source ? { source: input.source } : {}),
    features: json.features,
    ...(input.categories && input.categories.length > 0
      ? {
          categories: Object.fromEntries(
            input.categories.map((c) => [c.name, CategorySketch.fromValues(c.values, input.topCategories ?? TOP_CATEGORIES).toJSON({ rare: true })]),
          ),
        }
      : {}),
    outputs: json.outputs,
    ...(multivariate ? { multivariate } : {}),
    ...(calibration ? { calibration } : {}),
    ...(input.labels ? { quality: json.quality } : {}),
  };
  const reference = referenceChunks(baseline, input, layout.outputs);
  return reference ? { ...baseline, reference } : baseline;
}

/** `compare`'s default: baselines up to this many rows are judged by KS, larger ones by Wasserstein. */
const SMALL_SAMPLE = 1000;

/** Chunks of the reference thresholds come from (NannyML's default). */
const REFERENCE_CHUNKS = 10;

/**
 * Each of 10 consecutive chunks of the training rows sketched as a device window and compared with the
 * whole baseline: the drift value of every feature (and the calibrated accuracy estimate), whose spread
 * is the reference band of `compare(…, { thresholds: 'reference' })`. Undefined below 10 chunks of 10 rows.
 */
function referenceChunks(baseline: Baseline, input: BaselineInput, outputs: SketchLayout['outputs']): ReferenceChunksJSON | undefined {
  const { columns, rows } = input;
  const size = Math.floor(rows / REFERENCE_CHUNKS);
  if (size < 10) return undefined;
  const width = columns.length;
  const outWidth = input.scores.length / rows;
  const layout = sketchLayout(columns, outputs, baseline);
  const features: Record<string, number[]> = Object.fromEntries(columns.map((c) => [c, []]));
  const accuracy: number[] = [];
  for (let c = 0; c < REFERENCE_CHUNKS; c++) {
    const chunk = new WindowSketch(layout, 'chunk', 'chunk', 0, 0);
    const from = c * size;
    chunk.observe(
      Array.prototype.slice.call(input.features, from * width, (from + size) * width) as number[],
      Array.prototype.slice.call(input.scores, from * outWidth, (from + size) * outWidth) as number[],
      size,
    );
    const json = chunk.toJSON();
    for (const name of columns) {
      const whole = baseline.features[name];
      const part = json.features[name];
      // the chunk against the rest of the reference: histogram counts subtract exactly
      const rest = { edges: whole.histogram.edges, counts: whole.histogram.counts.map((n, i) => n - part.histogram.counts[i]) };
      if (part.count === 0 || whole.count - part.count <= 0) {
        features[name].push(Number.NaN);
        continue;
      }
      if (whole.count <= SMALL_SAMPLE) features[name].push(ksFromHistograms(rest, part.histogram).statistic);
      else {
        const w = wassersteinFromHistograms(rest, part.histogram, whole.moments.min, whole.moments.max).distance;
        features[name].push(w / Math.max(Math.sqrt(whole.moments.m2 / whole.count), 0.001));
      }
    }
    const report = compare(json, baseline, { minSampleSize: 1 });
    if (report.prediction.kind === 'classification' && report.prediction.estimatedAccuracy) accuracy.push(report.prediction.estimatedAccuracy.value);
  }
  return { chunkSize: size, features, ...(accuracy.length === REFERENCE_CHUNKS ? { estimatedAccuracy: accuracy } : {}) };
}
