import type { Baseline } from '../Baseline.ts';
import { foldPooled } from './foldPooled.ts';
import { benjaminiHochberg } from '../drift/benjaminiHochberg.ts';
import { chiSquareContingency } from '../drift/chiSquareContingency.ts';
import { DriftVerdict } from '../drift/detectDrift.ts';
import { jensenShannon } from '../drift/jensenShannon.ts';
import { type MissingRateTest, missingRateTest } from '../drift/missingRate.ts';
import { ksFromHistograms, wassersteinFromHistograms } from '../drift/histogramDistances.ts';
import { ksFromSketches } from '../drift/ksFromSketches.ts';
import { psi } from '../drift/psi.ts';
import { normalTwoSided } from '../drift/special.ts';
import { driftStatistics } from '../drift/registry.ts';
import { wassersteinFromSketches } from '../drift/wassersteinFromSketches.ts';
import { qualityMetrics } from '../quality/qualityMetrics.ts';
import type { CategoricalCountsJSON } from '../sketches/CategoricalCounts.ts';
import { DDSketch } from '../sketches/DDSketch.ts';
import type { FeatureSketchJSON } from '../sketches/FeatureSketch.ts';
import type { WindowSketchJSON } from '../WindowSketch.ts';
import { categoryDrift, type PendingCategoryDrift } from './categoryDrift.ts';
import type { CategoricalFeatureDrift, CategoryDrift, DriftReport, EstimatedAccuracy, HealthReport, QualityReport, QuantityDrift } from './DriftReport.ts';
import { multivariateDrift } from './multivariateDrift.ts';
import { calibratedAccuracy, distanceScale, type ReferenceBand, referenceBand } from '../reference/ReferenceChunks.ts';

/** Knobs of {@link compare}; defaults follow `detectDrift` / `chooseStatistic` (Evidently's). */
export interface CompareOptions {
  /** Values needed in the window before any verdict. Default 50. */
  readonly minSampleSize?: number;
  /** Baselines up to this many rows are compared with a test (KS, χ²), larger ones with a distance. Default 1000. */
  readonly smallSampleSize?: number;
  /** Benjamini–Hochberg across the features' p-values. Default true. */
  readonly controlFalseDiscoveries?: boolean;
  /**
   * `'fixed'` (default): Evidently's thresholds (p < 0.05, distance ≥ 0.1). `'reference'`: NannyML's, a
   * feature drifts when its KS D or normalised Wasserstein passes the mean + 3σ that chunks of the
   * reference reached (the baseline's `reference`, scaled to the window's rows); features the baseline
   * has no chunks for keep the fixed threshold.
   */
  readonly thresholds?: 'fixed' | 'reference';
}

const ALPHA = driftStatistics.ks.defaultThreshold;
const DISTANCE = driftStatistics.wasserstein.defaultThreshold;
/** Evidently's floor for the Wasserstein normaliser. */
const MIN_NORMALISER = 0.001;

type Pending = { drift: Omit<QuantityDrift, 'verdict' | 'adjustedPValue' | 'missingRate'>; testable: boolean; missing?: MissingRateTest };

/** Missing and invalid values of a sketch, next to all values it was given. */
function shares(s: FeatureSketchJSON): { missing: number; invalid: number; total: number } {
  return { missing: s.missing, invalid: s.invalid, total: s.count + s.missing + s.invalid };
}

/** One numeric quantity against its baseline sketch; the verdict is read after BH (see {@link compare}). */
function quantity(name: string, current: FeatureSketchJSON, baseline: FeatureSketchJSON, options: Required<CompareOptions>): Pending {
  const useTest = baseline.count <= options.smallSampleSize;
  const base = {
    name,
    count: current.count,
    missing: current.missing,
    invalid: current.invalid,
    ...(current.count > 0 ? { mean: current.moments.mean } : {}),
    baselineMean: baseline.moments.mean,
    statistic: useTest ? ('ks' as const) : ('wasserstein' as const),
    threshold: useTest ? ALPHA : DISTANCE,
  };
  const cur0 = shares(current);
  const ref0 = shares(baseline);
  // the share of NaN/±Infinity against the baseline's: judged even when too few finite values remain
  const missing = cur0.total >= options.minSampleSize && ref0.total > 0 ? missingRateTest(ref0, cur0) : undefined;
  const extra = missing ? { missing } : {};
  if (current.count < options.minSampleSize || baseline.count === 0) return { drift: base, testable: false, ...extra };
  const hasMass = (c: readonly number[]) => c.some((x) => x > 0);
  const sameBins = current.histogram.counts.length === baseline.histogram.counts.length;
  const sameEdges =
    sameBins &&
    current.histogram.edges.length === baseline.histogram.edges.length &&
    current.histogram.edges.every((e, i) => e === baseline.histogram.edges[i]) &&
    hasMass(current.histogram.counts) &&
    hasMass(baseline.histogram.counts);
  // On the baseline's quantile edges (every window of the version counts into them) the verdict does not
  // depend on an offset or a unit of the values; DDSketch's buckets do (relative error), so it only stands
  // in for windows counted over other edges.
  let ks: ReturnType<typeof ksFromHistograms>;
  let w: ReturnType<typeof wassersteinFromHistograms>;
  if (sameEdges) {
    ks = ksFromHistograms(baseline.histogram, current.histogram);
    w = wassersteinFromHistograms(
      baseline.histogram,
      current.histogram,
      Math.min(baseline.moments.min, current.moments.min),
      Math.max(baseline.moments.max, current.moments.max),
    );
  } else {
    const cur = DDSketch.fromJSON(current.quantiles);
    const ref = DDSketch.fromJSON(baseline.quantiles);
    ks = ksFromSketches(ref, cur);
    w = wassersteinFromSketches(ref, cur);
  }
  const std = Math.sqrt(baseline.moments.m2 / baseline.count);
  return {
    drift: {
      ...base,
      ks: ks.statistic,
      ksErrorBound: ks.errorBound,
      pValue: ks.pValue,
      wasserstein: w.distance / Math.max(std, MIN_NORMALISER),
      ...(sameBins && hasMass(current.histogram.counts) && hasMass(baseline.histogram.counts)
        ? { psi: psi(baseline.histogram.counts, current.histogram.counts), jensenShannon: jensenShannon(baseline.histogram.counts, current.histogram.counts) }
        : {}),
    },
    testable: true,
    ...extra,
  };
}

/**
 * Reads verdicts: p-values or distances, and the missing-rate tests; the p-values (KS and missing rates)
 * are BH-adjusted across features as one family when asked. A missing-rate drift makes the quantity drift.
 */
function verdicts(
  pending: readonly Pending[],
  fdr: boolean,
  categorical: readonly PendingCategoryDrift[] = [],
  read?: (c: CategoricalFeatureDrift[]) => void,
  bands?: (name: string, rows: number) => ReferenceBand | undefined,
): QuantityDrift[] {
  const family: { p: number; set: (q: number) => void }[] = [];
  const adjustedCategory = new Map<PendingCategoryDrift, number>();
  const adjustedCategoryMissing = new Map<PendingCategoryDrift, number>();
  for (const c of categorical) {
    if (c.testable && c.drift.pValue !== undefined) family.push({ p: c.drift.pValue, set: (q) => adjustedCategory.set(c, q) });
    if (c.missing) family.push({ p: c.missing.pValue, set: (q) => adjustedCategoryMissing.set(c, q) });
  }
  const adjusted = new Map<Pending, number>();
  const adjustedMissing = new Map<Pending, number>();
  for (const p of pending) {
    if (p.testable && p.drift.statistic === 'ks') family.push({ p: p.drift.pValue as number, set: (q) => adjusted.set(p, q) });
    if (p.missing) family.push({ p: p.missing.pValue, set: (q) => adjustedMissing.set(p, q) });
  }
  if (fdr && family.length > 0) {
    const bh = benjaminiHochberg(family.map((f) => f.p));
    family.forEach((f, i) => {
      f.set(bh.adjusted[i]);
    });
  }
  read?.(
    categorical.map((c): CategoricalFeatureDrift => {
      const qm = adjustedCategoryMissing.get(c);
      const missingRate = c.missing
        ? {
            ...c.missing,
            ...(qm === undefined ? {} : { adjustedPValue: qm }),
            verdict: (qm ?? c.missing.pValue) < ALPHA ? DriftVerdict.DRIFT : DriftVerdict.NO_DRIFT,
          }
        : undefined;
      const missingDrift = missingRate?.verdict === DriftVerdict.DRIFT;
      const extra = missingRate ? { missingRate } : {};
      if (!c.testable) return { ...c.drift, ...extra, verdict: missingDrift ? DriftVerdict.DRIFT : DriftVerdict.INSUFFICIENT_DATA };
      const q = adjustedCategory.get(c);
      const drifted = c.drift.pValue !== undefined ? (q ?? c.drift.pValue) < c.drift.threshold : (c.drift.value as number) >= c.drift.threshold;
      return {
        ...c.drift,
        ...(q === undefined ? {} : { adjustedPValue: q }),
        ...extra,
        verdict: drifted || missingDrift ? DriftVerdict.DRIFT : DriftVerdict.NO_DRIFT,
      };
    }),
  );
  return pending.map((p): QuantityDrift => {
    let missingRate: QuantityDrift['missingRate'];
    if (p.missing) {
      const q = adjustedMissing.get(p);
      missingRate = {
        ...p.missing,
        ...(q === undefined ? {} : { adjustedPValue: q }),
        verdict: (q ?? p.missing.pValue) < ALPHA ? DriftVerdict.DRIFT : DriftVerdict.NO_DRIFT,
      };
    }
    const extra = missingRate ? { missingRate } : {};
    const missingDrift = missingRate?.verdict === DriftVerdict.DRIFT;
    const drifted = (yes: boolean) => (yes || missingDrift ? DriftVerdict.DRIFT : DriftVerdict.NO_DRIFT);
    if (!p.testable) return { ...p.drift, ...extra, verdict: missingDrift ? DriftVerdict.DRIFT : DriftVerdict.INSUFFICIENT_DATA };
    const band = bands?.(p.drift.name, p.drift.count);
    if (band) {
      // the value (KS D or normalised Wasserstein) against what chunks of the reference itself reached
      const value = (p.drift.statistic === 'ks' ? p.drift.ks : p.drift.wasserstein) as number;
      return { ...p.drift, ...extra, threshold: band.upper, reference: band, verdict: drifted(value > band.upper) };
    }
    if (p.drift.statistic === 'wasserstein') return { ...p.drift, ...extra, verdict: drifted((p.drift.wasserstein as number) >= p.drift.threshold) };
    const q = adjusted.get(p);
    const read = q ?? (p.drift.pValue as number);
    return { ...p.drift, ...(q === undefined ? {} : { adjustedPValue: q }), ...extra, verdict: drifted(read < p.drift.threshold) };
  });
}

/**
 * Category counts against baseline counts: the two-sample χ² (a contingency table: both are samples)
 * for a small baseline with enough expected counts per category (as `chooseStatistic` decides),
 * Jensen–Shannon otherwise. Categories empty on both sides are left out, so they do not add degrees of
 * freedom; a category only the window has is an ordinary cell.
 */
export function compareCategories(
  current: CategoricalCountsJSON,
  baseline: CategoricalCountsJSON,
  options: Required<CompareOptions>,
  seen?: number,
): CategoryDrift {
  // classes an exporter's k-anonymity pooled into "other" are read as part of it (see foldPooled)
  const f = foldPooled(current.counts, current.other, baseline.counts, baseline.other, seen);
  const keep = f.current.map((c, i) => c > 0 || f.baseline[i] > 0);
  const withOther = f.currentOther > 0 || f.baselineOther > 0;
  const cur = [...f.current.filter((_, i) => keep[i]), ...(withOther ? [f.currentOther] : [])];
  const ref = [...f.baseline.filter((_, i) => keep[i]), ...(withOther ? [f.baselineOther] : [])];
  const n = ref.reduce((a, b) => a + b, 0);
  const m = cur.reduce((a, b) => a + b, 0);
  const useChi = n <= options.smallSampleSize && n / Math.max(1, ref.length) >= 5;
  const base = {
    categories: current.categories,
    counts: current.counts,
    baselineCounts: baseline.counts,
    statistic: useChi ? ('chisquare' as const) : ('jensenshannon' as const),
    threshold: useChi ? ALPHA : DISTANCE,
  };
  if (m < options.minSampleSize || n === 0 || cur.length < 2) return { ...base, verdict: DriftVerdict.INSUFFICIENT_DATA };
  if (useChi) {
    const r = chiSquareContingency(ref, cur);
    return { ...base, value: r.statistic, pValue: r.pValue, verdict: r.pValue < ALPHA ? DriftVerdict.DRIFT : DriftVerdict.NO_DRIFT };
  }
  const d = jensenShannon(ref, cur);
  return { ...base, value: d, verdict: d >= DISTANCE ? DriftVerdict.DRIFT : DriftVerdict.NO_DRIFT };
}

function percentile(json: WindowSketchJSON['health']['latencyMs'], q: number): number | undefined {
  return json.count > 0 ? DDSketch.fromJSON(json).quantile(q) : undefined;
}

function health(window: WindowSketchJSON): HealthReport {
  const h = window.health;
  const seen = window.predictions + h.invalidRecords;
  return {
    latencyMs: { p50: percentile(h.latencyMs, 0.5), p95: percentile(h.latencyMs, 0.95), p99: percentile(h.latencyMs, 0.99) },
    batches: h.batches,
    backends: h.backends,
    nanRate: window.predictions > 0 ? h.nanPredictions / window.predictions : 0,
    invalidRate: seen > 0 ? h.invalidRecords / seen : 0,
    invalidByField: h.invalidByField,
    repairRates: Object.fromEntries(Object.entries(h.repairedByInput).map(([k, n]) => [k, seen > 0 ? n / seen : 0])),
    ...(h.inferenceMs > 0 ? { monitoringOverhead: h.monitorMs / h.inferenceMs } : {}),
    sketchedRate: window.predictions > 0 ? (window.sketched ?? window.predictions) / window.predictions : 1,
  };
}

function quality(window: WindowSketchJSON, baseline: Baseline, options: Required<CompareOptions>): QualityReport {
  const q = window.quality;
  const metrics = qualityMetrics(q);
  const base = baseline.quality ? qualityMetrics(baseline.quality) : undefined;
  let labelDrift: CategoryDrift | undefined;
  let accuracyChange: QualityReport['accuracyChange'];
  if (q.kind === 'classification' && baseline.quality?.kind === 'classification') {
    labelDrift = compareCategories(q.labels, baseline.quality.labels, options, q.labelled);
    if (metrics.accuracy !== undefined && base?.accuracy !== undefined && q.labelled >= options.minSampleSize) {
      const n1 = baseline.quality.labelled;
      const n2 = q.labelled;
      const pooled = (base.accuracy * n1 + metrics.accuracy * n2) / (n1 + n2);
      const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
      const difference = metrics.accuracy - base.accuracy;
      const z = se > 0 ? difference / se : 0;
      const pValue = normalTwoSided(z);
      accuracyChange = { difference, z, pValue, verdict: pValue < ALPHA && difference < 0 ? DriftVerdict.DRIFT : DriftVerdict.NO_DRIFT };
    }
  }
  const detections = q.detections;
  // the combined verdict (two detectors agreeing), not any one detector: alone each false-alarms
  const fired = (detections.concept ?? 0) > 0;
  return {
    ...metrics,
    ...(base ? { baseline: base } : {}),
    ...(labelDrift ? { labelDrift } : {}),
    ...(accuracyChange ? { accuracyChange } : {}),
    detections,
    unmatched: q.unmatched,
    conceptDrift: fired || accuracyChange?.verdict === DriftVerdict.DRIFT || labelDrift?.verdict === DriftVerdict.DRIFT,
  };
}

/**
 * The label-free accuracy estimate calibrated on the reference (see `calibratedAccuracy`) and, when the
 * baseline has reference chunks, its alert: outside the chunks' mean ± 3σ (scaled to the window's rows).
 */
function estimatedAccuracy(confidence: FeatureSketchJSON, baseline: Baseline, minSampleSize: number): { estimatedAccuracy?: EstimatedAccuracy } {
  const calibration = baseline.calibration;
  const quality = baseline.quality;
  if (!calibration || quality?.kind !== 'classification' || quality.labelled === 0 || confidence.count === 0) return {};
  const value = calibratedAccuracy(confidence.histogram, calibration, quality.correct / quality.labelled);
  if (value === undefined) return {};
  const chunks = baseline.reference;
  const band = chunks?.estimatedAccuracy ? referenceBand(chunks.estimatedAccuracy, Math.sqrt(chunks.chunkSize / confidence.count)) : undefined;
  const verdict =
    !band || confidence.count < minSampleSize
      ? DriftVerdict.INSUFFICIENT_DATA
      : value < band.lower || value > band.upper
        ? DriftVerdict.DRIFT
        : DriftVerdict.NO_DRIFT;
  return { estimatedAccuracy: { value, rows: confidence.count, ...(band ? { reference: band } : {}), verdict } };
}

/** Re-exported where it used to live (tests and callers import it from here). */
export { normalTwoSided };

/**
 * Compares one window (or any merge of windows) with its version's training baseline: per feature a
 * KS test (baselines ≤ 1000 rows) or the Wasserstein distance over the baseline's spread, both read on
 * the baseline's quantile-edge histogram (so no offset or unit of the values changes a verdict), with
 * Benjamini–Hochberg across features and no verdict below the minimum sample size — the same rules as
 * `detectDrift`, computed from sketches; PSI and Jensen–Shannon on the baseline's bins are reported too.
 * Categorical raw inputs are compared by category (see `categoryDrift`), in the same BH family.
 * Then prediction drift (class counts, confidence), label-feedback quality against the baseline's, and
 * health. Pure and deterministic: the same window and baseline give the same report anywhere.
 */
export function compare(window: WindowSketchJSON, baseline: Baseline, options: CompareOptions = {}): DriftReport {
  const opts: Required<CompareOptions> = {
    minSampleSize: options.minSampleSize ?? 50,
    smallSampleSize: options.smallSampleSize ?? 1000,
    controlFalseDiscoveries: options.controlFalseDiscoveries ?? true,
    thresholds: options.thresholds ?? 'fixed',
  };
  const chunks = baseline.reference;
  const bands =
    opts.thresholds === 'reference' && chunks
      ? (name: string, rows: number) => {
          const values = Object.hasOwn(chunks.features, name) ? chunks.features[name] : undefined;
          return Array.isArray(values) ? referenceBand(values, distanceScale(chunks.chunkSize, baseline.rows, rows), true) : undefined;
        }
      : undefined;
  const names = Object.keys(window.features).filter((n) => baseline.features[n]);
  const windowCategories = window.categories ?? {};
  const baseCategories = baseline.categories ?? {};
  const categoryNames = Object.keys(windowCategories).filter((n) => Object.hasOwn(baseCategories, n));
  let categories: CategoricalFeatureDrift[] = [];
  const features = verdicts(
    names.map((n) => quantity(n, window.features[n], baseline.features[n], opts)),
    opts.controlFalseDiscoveries,
    categoryNames.map((n) => categoryDrift(n, windowCategories[n], baseCategories[n], opts)),
    (c) => {
      categories = c;
    },
    bands,
  );
  let prediction: DriftReport['prediction'];
  const out = window.outputs;
  const baseOut = baseline.outputs;
  if (out.kind === 'classification' && baseOut.kind === 'classification') {
    const [confidence] = verdicts([quantity('confidence', out.confidence, baseOut.confidence, opts)], false);
    prediction = {
      kind: 'classification',
      // every finite prediction is counted in a class (the sketches may sample; the class counts never do)
      classes: compareCategories(out.classes, baseOut.classes, opts, window.predictions - window.health.nanPredictions),
      confidence,
      ...(out.confidence.count > 0 ? { expectedAccuracy: out.confidence.moments.mean } : {}),
      baselineExpectedAccuracy: baseOut.confidence.moments.mean,
      ...estimatedAccuracy(out.confidence, baseline, opts.minSampleSize),
    };
  } else if (out.kind === 'regression' && baseOut.kind === 'regression') {
    const outNames = Object.keys(out.values).filter((n) => baseOut.values[n]);
    prediction = {
      kind: 'regression',
      outputs: verdicts(
        outNames.map((n) => quantity(n, out.values[n], baseOut.values[n], opts)),
        false,
      ),
    };
  } else {
    prediction = { kind: 'regression', outputs: [] };
  }
  const q = quality(window, baseline, opts);
  const multivariate = multivariateDrift(window, baseline, opts.minSampleSize);
  const driftedFeatures = [...features, ...categories].filter((f) => f.verdict === DriftVerdict.DRIFT).map((f) => f.name);
  const predictionDrift =
    prediction.kind === 'classification'
      ? prediction.classes.verdict === DriftVerdict.DRIFT || prediction.confidence.verdict === DriftVerdict.DRIFT
      : prediction.outputs.some((o) => o.verdict === DriftVerdict.DRIFT);
  return {
    features,
    ...(categories.length > 0 ? { categories } : {}),
    ...(multivariate ? { multivariate } : {}),
    prediction,
    quality: q,
    health: health(window),
    driftedFeatures,
    drift: driftedFeatures.length > 0 || multivariate?.verdict === DriftVerdict.DRIFT || predictionDrift || q.conceptDrift,
  };
}
