import { EdgewatchError, ErrorCode } from '../errors.ts';
import { versionKey } from '../registry/versionKey.ts';
import type { Baseline, OutputSketchJSON } from './Baseline.ts';
import { QualitySketch, type QualityJSON } from './quality/QualitySketch.ts';
import { CategoricalCounts } from './sketches/CategoricalCounts.ts';
import { CategorySketch, type CategorySketchJSON, type CategoryVocabulary } from './sketches/CategorySketch.ts';
import { DDSketch, quantileFrame, type DDSketchJSON, type QuantileFrame } from './sketches/DDSketch.ts';
import { FeatureSketch, type FeatureSketchJSON } from './sketches/FeatureSketch.ts';
import { argmaxFinite } from './topClasses.ts';
import { PcaReconstruction, type PcaReconstructionJSON, pcaFits } from './multivariate/PcaReconstruction.ts';
import { Moments, type MomentsJSON } from './sketches/Moments.ts';

/** Schema id of {@link WindowSketchJSON}. */
export const WINDOW_SCHEMA = 'edgewatch.window/v1';

/** Operational health of one window. Every field merges by adding (the latency sketch by merging). */
export interface HealthJSON {
  /** Worker-side milliseconds per batch: features + inference + readback. */
  readonly latencyMs: DDSketchJSON;
  readonly batches: number;
  /** Batches answered per backend. */
  readonly backends: Readonly<Record<string, number>>;
  /** Predictions whose scores held a NaN or ±Infinity. */
  readonly nanPredictions: number;
  /** Records refused with `INPUT_INVALID`, in total and by field. */
  readonly invalidRecords: number;
  readonly invalidByField: Readonly<Record<string, number>>;
  /** Missing values of nullable inputs, by input: each was repaired by the spec's `impute` step. */
  readonly repairedByInput: Readonly<Record<string, number>>;
  /** Milliseconds the worker spent updating sketches, and in inference, for the overhead ratio. */
  readonly monitorMs: number;
  readonly inferenceMs: number;
}

/** One model version's monitoring state over one time window, as plain JSON (an IndexedDB row's payload). */
export interface WindowSketchJSON {
  readonly schema: typeof WINDOW_SCHEMA;
  readonly model: string;
  readonly version: string;
  /** Window bounds, ms since epoch (UTC); merged windows span from the first start to the last end. */
  readonly start: number;
  readonly end: number;
  readonly predictions: number;
  /**
   * Predictions whose features and outputs went into the sketches: fewer than `predictions` when the
   * monitoring budget sampled rows under sustained load. Absent in rows written before it existed (all).
   */
  readonly sketched?: number;
  readonly features: Readonly<Record<string, FeatureSketchJSON>>;
  /** Per categorical raw input, its category counts (see `CategorySketch`). Absent in older rows and for specs without one. */
  readonly categories?: Readonly<Record<string, CategorySketchJSON>>;
  /** PCA reconstruction errors of the sketched rows (the baseline's multivariate model). Absent without one. */
  readonly reconstruction?: MomentsJSON;
  readonly outputs: OutputSketchJSON;
  readonly quality: QualityJSON;
  readonly health: HealthJSON;
}

/** What a window needs to know about its model version to start sketching. */
export interface SketchLayout {
  /** Model feature columns, in batch order. */
  readonly columns: readonly string[];
  /** Categorical raw inputs counted by category, with the vocabulary each starts from (the baseline's). */
  readonly categories?: readonly CategoryInputLayout[];
  /** The baseline's multivariate model, when it fits `columns`: each sketched row's reconstruction error is kept. */
  readonly multivariate?: PcaReconstructionJSON;
  readonly outputs:
    | { readonly kind: 'classification'; readonly labels: readonly string[] }
    | { readonly kind: 'regression'; readonly names: readonly string[] };
  /**
   * Classifiers: also sketch every class probability (default false). Off by default on devices because
   * it doubles the values sketched per row of a small classifier, and the report reads the class counts
   * and the confidence; baselines always carry them, so turning it on needs no new baseline.
   */
  readonly scores?: boolean;
  /** Histogram edges (from the baseline's quantiles); absent ones get {@link DEFAULT_EDGES} or probability deciles. */
  readonly edges?: {
    readonly features?: Readonly<Record<string, readonly number[]>>;
    /** By label (classification) or output name (regression). */
    readonly outputs?: Readonly<Record<string, readonly number[]>>;
    readonly confidence?: readonly number[];
  };
  /**
   * Quantile sketch frames (from the baseline's sketches, same keys as `edges`): stored windows then keep a
   * fixed number of buckets whatever their traffic (see {@link QuantileFrame}).
   */
  readonly frames?: {
    readonly features?: Readonly<Record<string, QuantileFrame>>;
    readonly outputs?: Readonly<Record<string, QuantileFrame>>;
    readonly confidence?: QuantileFrame;
  };
}

/** One categorical input of a {@link SketchLayout}. */
export interface CategoryInputLayout extends CategoryVocabulary {
  /** The raw input's name. */
  readonly input: string;
}

/**
 * The vocabulary of each categorical input: the baseline's top categories and rare names where it has
 * them, else what the spec knows (its allowed values or one-hot vocabulary), else none (every value then
 * reads as unseen, the first few by name).
 */
function categoryLayout(
  inputs: readonly { readonly name: string; readonly vocabulary?: readonly string[] }[],
  baseline?: Readonly<Record<string, CategorySketchJSON>>,
): CategoryInputLayout[] {
  return inputs.map((input) => {
    const known = baseline && Object.hasOwn(baseline, input.name) ? baseline[input.name] : undefined;
    // the baseline came with the manifest: a malformed one is ignored, never a reason for sketching to throw
    if (known && isNames(known.categories)) return { input: input.name, categories: known.categories, ...(isNames(known.rare) ? { rare: known.rare } : {}) };
    return { input: input.name, categories: isNames(input.vocabulary) ? input.vocabulary : [] };
  });
}

function isNames(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function edgesOf(sketches: Readonly<Record<string, FeatureSketchJSON>>): Record<string, readonly number[]> {
  return Object.fromEntries(Object.entries(sketches).map(([name, s]) => [name, s.histogram.edges]));
}

function framesOf(sketches: Readonly<Record<string, FeatureSketchJSON>>): Record<string, QuantileFrame> {
  return Object.fromEntries(Object.entries(sketches).map(([name, s]) => [name, quantileFrame(s.quantiles)]));
}

/** The layout of a model version's windows: its columns and outputs, with the baseline's edges. */
export function sketchLayout(
  columns: readonly string[],
  outputs: SketchLayout['outputs'],
  baseline?: Pick<Baseline, 'features' | 'outputs' | 'categories'> & { readonly multivariate?: unknown },
  options: {
    readonly scores?: boolean;
    /** The spec's categorical inputs (`categoricalInputs(spec)`): counted by category. */
    readonly categories?: readonly { readonly name: string; readonly vocabulary?: readonly string[] }[];
  } = {},
): SketchLayout {
  const scores = options.scores ?? false;
  const categories = options.categories && options.categories.length > 0 ? { categories: categoryLayout(options.categories, baseline?.categories) } : {};
  if (!baseline) return { columns, outputs, scores, ...categories };
  const out = baseline.outputs;
  const multivariate = 'multivariate' in baseline && pcaFits(baseline.multivariate, columns) ? { multivariate: baseline.multivariate } : {};
  return {
    columns,
    ...categories,
    ...multivariate,
    outputs,
    scores,
    edges: {
      features: edgesOf(baseline.features),
      outputs: edgesOf(out.kind === 'classification' ? out.scores : out.values),
      ...(out.kind === 'classification' ? { confidence: out.confidence.histogram.edges } : {}),
    },
    frames: {
      features: framesOf(baseline.features),
      outputs: framesOf(out.kind === 'classification' ? out.scores : out.values),
      ...(out.kind === 'classification' ? { confidence: quantileFrame(out.confidence.quantiles) } : {}),
    },
  };
}

/** Edges for quantities without a baseline: coarse, but histograms still merge and DDSketch does the rest. */
export const DEFAULT_EDGES: readonly number[] = [0];
/** Probabilities without a baseline: deciles of [0, 1]. */
const PROBABILITY_EDGES = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

function add(target: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [key, n] of Object.entries(from)) target[key] = (target[key] ?? 0) + n;
}

/**
 * Batch latencies have no baseline; their buckets are kept from 0.1 ms (faster counts as 0.1 ms) to 1 s
 * (~660 buckets, 2.6 kB a stored row), so a busy window's row is the size of a quiet one's however its
 * latencies spread; only batches slower than a second widen it.
 */
const LATENCY_FRAME: QuantileFrame = (() => {
  const probe = new DDSketch(0.01);
  return { positive: [probe.index(0.1), probe.index(1000)], floor: probe.index(0.1) };
})();

/**
 * One model version's sketches over one window, kept in the worker's memory between flushes: every
 * feature column, the outputs, label-feedback quality and health. `count` (every row) and `sketch` (the
 * rows the budget affords) are the hot path (one pass each, no allocation); everything merges, so windows roll up and devices aggregate.
 */
export class WindowSketch {
  readonly model: string;
  readonly version: string;
  start: number;
  end: number;
  predictions = 0;
  sketched = 0;
  readonly columns: readonly string[];
  readonly features: FeatureSketch[];
  /** Categorical raw inputs, by name, and their sketches (same order). */
  readonly categoryInputs: string[];
  readonly categories: CategorySketch[];
  /** The multivariate model (from the layout) and the reconstruction errors of the sketched rows. */
  readonly reconstruction: PcaReconstruction | undefined;
  reconstructionErrors: Moments | undefined;
  readonly classes: CategoricalCounts | undefined;
  readonly confidence: FeatureSketch | undefined;
  readonly outputNames: readonly string[];
  readonly outputs: FeatureSketch[];
  readonly quality: QualitySketch;
  readonly latencyMs = new DDSketch(0.01).frame(LATENCY_FRAME);
  batches = 0;
  readonly backends: Record<string, number> = {};
  nanPredictions = 0;
  invalidRecords = 0;
  readonly invalidByField: Record<string, number> = {};
  readonly repairedByInput: Record<string, number> = {};
  monitorMs = 0;
  inferenceMs = 0;

  constructor(layout: SketchLayout, model: string, version: string, start: number, end: number) {
    this.model = model;
    this.version = version;
    this.start = start;
    this.end = end;
    this.columns = [...layout.columns];
    const edges = layout.edges ?? {};
    const frames = layout.frames ?? {};
    this.features = this.columns.map((c) => new FeatureSketch({ edges: edges.features?.[c] ?? DEFAULT_EDGES, frame: frames.features?.[c] }));
    this.categoryInputs = (layout.categories ?? []).map((c) => c.input);
    this.categories = (layout.categories ?? []).map((c) => new CategorySketch(c));
    this.reconstruction = layout.multivariate ? new PcaReconstruction(layout.multivariate) : undefined;
    this.reconstructionErrors = layout.multivariate ? new Moments() : undefined;
    if (layout.outputs.kind === 'classification') {
      this.outputNames = [...layout.outputs.labels];
      this.classes = new CategoricalCounts(layout.outputs.labels);
      this.confidence = new FeatureSketch({ edges: edges.confidence ?? PROBABILITY_EDGES, frame: frames.confidence });
      this.outputs = layout.scores
        ? this.outputNames.map((l) => new FeatureSketch({ edges: edges.outputs?.[l] ?? PROBABILITY_EDGES, frame: frames.outputs?.[l] }))
        : [];
      this.quality = new QualitySketch(layout.outputs.labels);
    } else {
      this.outputNames = layout.outputs.names.length > 0 ? [...layout.outputs.names] : ['output'];
      this.outputs = this.outputNames.map((n) => new FeatureSketch({ edges: edges.outputs?.[n] ?? DEFAULT_EDGES, frame: frames.outputs?.[n] }));
      this.quality = new QualitySketch();
    }
  }

  /**
   * Counts one batch and sketches all of it: `features` row-major `[rows, columns.length]`, `scores`
   * row-major `[rows, outputs]` ({@link WindowSketch.count} then {@link WindowSketch.sketch}). Non-finite
   * values count as missing/invalid in their sketch, never throw.
   */
  observe(features: ArrayLike<number>, scores: ArrayLike<number>, rows: number): void {
    this.count(scores, rows);
    this.sketch(features, scores, rows);
  }

  /**
   * The exact part, for every row of a batch: counts the predictions, the NaN/±Infinity ones and
   * (classifiers) each predicted class. `classes[r]` is row r's class where the caller already has them
   * (the worker computes them for its answer; -1 for a non-finite row), else they are read from `scores`.
   * Sketches nothing.
   */
  count(scores: ArrayLike<number>, rows: number, classes?: ArrayLike<number>): void {
    const outputs = this.outputNames.length;
    const counts = this.classes;
    for (let r = 0, at = 0; r < rows; r++, at += outputs) {
      const best = classes ? classes[r] : argmaxFinite(scores, at, outputs);
      if (best < 0) this.nanPredictions++;
      else counts?.addIndex(best);
    }
    this.predictions += rows;
  }

  /**
   * The sampled part: `count` rows already counted by {@link WindowSketch.count}, gathered one after the
   * other (`features` `[count, columns.length]`, `scores` `[count, outputs]`), go into the feature,
   * confidence and per-output sketches.
   */
  sketch(features: ArrayLike<number>, scores: ArrayLike<number>, count: number): void {
    const width = this.columns.length;
    for (let c = 0; c < width; c++) this.features[c].addColumn(features, count, width, c);
    const pca = this.reconstruction;
    if (pca && this.reconstructionErrors) for (let r = 0; r < count; r++) this.reconstructionErrors.add(pca.error(features, r, width));
    const outputs = this.outputNames.length;
    for (let c = 0; c < this.outputs.length; c++) this.outputs[c].addColumn(scores, count, outputs, c);
    const confidence = this.confidence;
    if (confidence) {
      for (let i = 0, at = 0; i < count; i++, at += outputs) {
        const best = argmaxFinite(scores, at, outputs);
        if (best >= 0) confidence.add(scores[at + best]);
      }
    }
    this.sketched += count;
  }

  /**
   * The sampled rows' raw values of each categorical input (`values[i]` for `categoryInputs[i]`, `count`
   * values each), read from the records by the observation before they are gone.
   */
  sketchCategories(values: readonly (readonly unknown[])[], count: number): void {
    for (let i = 0; i < this.categories.length; i++) {
      const column = values[i];
      const sketch = this.categories[i];
      if (column) for (let r = 0; r < count; r++) sketch.add(column[r]);
    }
  }

  /** Records one batch's timing and backend. */
  observeTiming(latencyMs: number, backend: string, inferenceMs: number): void {
    this.batches++;
    if (Number.isFinite(latencyMs)) this.latencyMs.add(Math.max(latencyMs, 0));
    this.backends[backend] = (this.backends[backend] ?? 0) + 1;
    this.inferenceMs += inferenceMs;
  }

  /** Records a refused record: monitoring still sees bad input even though no prediction came of it. */
  observeInvalid(field: string | null | undefined): void {
    this.invalidRecords++;
    const key = field ?? '(record)';
    this.invalidByField[key] = (this.invalidByField[key] ?? 0) + 1;
  }

  /** Records `count` missing values of nullable input `input` (repaired by imputation). */
  observeRepaired(input: string, count: number): void {
    if (count > 0) this.repairedByInput[input] = (this.repairedByInput[input] ?? 0) + count;
  }

  /** Adds another window of the same model version; the bounds widen to cover both. */
  merge(json: WindowSketchJSON): this {
    if (json.model !== this.model || json.version !== this.version) {
      throw new EdgewatchError(ErrorCode.INPUT_INVALID, `Cannot merge ${versionKey(json.model, json.version)} into ${versionKey(this.model, this.version)}`, {
        field: 'version',
        reason: 'mismatch',
      });
    }
    this.start = Math.min(this.start, json.start);
    this.end = Math.max(this.end, json.end);
    this.predictions += json.predictions;
    this.sketched += json.sketched ?? json.predictions;
    this.columns.forEach((c, i) => {
      const other = json.features[c];
      if (other) this.features[i].merge(other);
    });
    if (json.reconstruction) {
      this.reconstructionErrors ??= new Moments();
      this.reconstructionErrors.merge(json.reconstruction);
    }
    const categories = json.categories;
    if (categories) {
      for (const [name, sketch] of Object.entries(categories)) {
        const at = this.categoryInputs.indexOf(name);
        // a row written before categories were counted merges with a newer one in either order
        if (at >= 0) this.categories[at].merge(sketch);
        else {
          this.categoryInputs.push(name);
          this.categories.push(CategorySketch.fromJSON(sketch));
        }
      }
    }
    const out = json.outputs;
    if (out.kind === 'classification') {
      this.classes?.merge(out.classes);
      this.confidence?.merge(out.confidence);
      this.outputs.forEach((sketch, i) => {
        out.scores[this.outputNames[i]] && sketch.merge(out.scores[this.outputNames[i]]);
      });
    } else {
      this.outputNames.forEach((n, i) => {
        out.values[n] && this.outputs[i].merge(out.values[n]);
      });
    }
    this.quality.merge(json.quality);
    const h = json.health;
    this.latencyMs.merge(h.latencyMs);
    this.batches += h.batches;
    add(this.backends, h.backends);
    this.nanPredictions += h.nanPredictions;
    this.invalidRecords += h.invalidRecords;
    add(this.invalidByField, h.invalidByField);
    add(this.repairedByInput, h.repairedByInput);
    this.monitorMs += h.monitorMs;
    this.inferenceMs += h.inferenceMs;
    return this;
  }

  /** Plain JSON (structured-clone and `JSON.stringify` safe). */
  toJSON(): WindowSketchJSON {
    const outputs: OutputSketchJSON =
      this.classes && this.confidence
        ? {
            kind: 'classification',
            classes: this.classes.toJSON(),
            confidence: this.confidence.toJSON(),
            scores: Object.fromEntries(this.outputs.map((sketch, i) => [this.outputNames[i], sketch.toJSON()])),
          }
        : { kind: 'regression', values: Object.fromEntries(this.outputNames.map((n, i) => [n, this.outputs[i].toJSON()])) };
    return {
      schema: WINDOW_SCHEMA,
      model: this.model,
      version: this.version,
      start: this.start,
      end: this.end,
      predictions: this.predictions,
      sketched: this.sketched,
      features: Object.fromEntries(this.columns.map((c, i) => [c, this.features[i].toJSON()])),
      ...(this.reconstructionErrors ? { reconstruction: this.reconstructionErrors.toJSON() } : {}),
      ...(this.categories.length > 0 ? { categories: Object.fromEntries(this.categoryInputs.map((c, i) => [c, this.categories[i].toJSON()])) } : {}),
      outputs,
      quality: this.quality.toJSON(),
      health: {
        latencyMs: this.latencyMs.toJSON(),
        batches: this.batches,
        backends: { ...this.backends },
        nanPredictions: this.nanPredictions,
        invalidRecords: this.invalidRecords,
        invalidByField: { ...this.invalidByField },
        repairedByInput: { ...this.repairedByInput },
        monitorMs: this.monitorMs,
        inferenceMs: this.inferenceMs,
      },
    };
  }

  /** The layout a window JSON was built with (its histogram edges stand in for the baseline's). */
  static layoutOf(json: WindowSketchJSON): SketchLayout {
    const out = json.outputs;
    // no frames: a window is no baseline (its headroom would be added again), and its stored spans come
    // back with its counts anyway
    const { frames: _, ...layout } = sketchLayout(
      Object.keys(json.features),
      out.kind === 'classification' ? { kind: 'classification', labels: out.classes.categories } : { kind: 'regression', names: Object.keys(out.values) },
      json,
      {
        scores: out.kind === 'classification' && Object.keys(out.scores).length > 0,
        categories: Object.keys(json.categories ?? {}).map((name) => ({ name })),
      },
    );
    return layout;
  }

  /** Rebuilds a window from {@link WindowSketch.toJSON} output. */
  static fromJSON(json: WindowSketchJSON): WindowSketch {
    const empty = new WindowSketch(WindowSketch.layoutOf(json), json.model, json.version, json.start, json.end);
    return empty.merge(json);
  }
}

/** Merges windows of one model version into one (the union of their events). */
export function mergeWindows(windows: readonly WindowSketchJSON[]): WindowSketchJSON {
  if (windows.length === 0) throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'Nothing to merge', { field: 'windows', reason: 'empty' });
  const merged = WindowSketch.fromJSON(windows[0]);
  for (let i = 1; i < windows.length; i++) merged.merge(windows[i]);
  return merged.toJSON();
}
