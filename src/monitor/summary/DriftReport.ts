import type { DriftVerdict } from '../drift/detectDrift.ts';
import type { MissingRateTest } from '../drift/missingRate.ts';
import type { QualityMetrics } from '../quality/qualityMetrics.ts';
import type { ReferenceBand } from '../reference/ReferenceChunks.ts';

/** Drift of one numeric quantity (a model feature, a score, the confidence) against its baseline. */
export interface QuantityDrift {
  readonly name: string;
  /** Finite values in the window. */
  readonly count: number;
  /** NaN values in the window. */
  readonly missing: number;
  /** ±Infinity values in the window. */
  readonly invalid: number;
  /**
   * The window's share of missing + invalid values against the baseline's (two-proportion test, Fisher's
   * exact test on small counts; BH-adjusted with the features' KS tests). Present when either has any;
   * its drift makes `verdict` drift, even when too few finite values are left for the distribution.
   */
  readonly missingRate?: MissingRateTest & { readonly adjustedPValue?: number; readonly verdict: DriftVerdict };
  readonly mean?: number;
  readonly baselineMean: number;
  /** The statistic the verdict rests on: `'ks'` (sketch KS, p-value) or `'wasserstein'` (over the baseline std). */
  readonly statistic: 'ks' | 'wasserstein';
  readonly threshold: number;
  readonly verdict: DriftVerdict;
  /**
   * KS D read on the baseline's quantile-edge histogram (a lower bound of the exact D, within
   * `ksErrorBound`): it does not change with an offset or a unit of the values. DDSketch (relative error)
   * stands in only for a window counted over other edges.
   */
  readonly ks?: number;
  readonly ksErrorBound?: number;
  readonly pValue?: number;
  /** Benjamini–Hochberg adjusted p-value the verdict used. */
  readonly adjustedPValue?: number;
  /** Wasserstein-1 from the same histograms (values spread evenly within bins) divided by the baseline standard deviation. */
  readonly wasserstein?: number;
  /** PSI on the baseline's decile bins + under/overflow (reported; not the verdict: it false-alarms on small windows). */
  readonly psi?: number;
  /** Jensen–Shannon distance (natural log, the units of Evidently's 0.1 threshold) on the same bins. */
  readonly jensenShannon?: number;
  /**
   * With `thresholds: 'reference'`: the band the reference's own chunks set for this window's size; the
   * verdict is KS D or the normalised Wasserstein above `upper` (then also in `threshold`).
   */
  readonly reference?: ReferenceBand;
}

/**
 * The label-free accuracy estimate of a classifier's window, calibrated on the reference (each
 * confidence cell's training accuracy), and its alert against the reference chunks' mean ± 3σ.
 */
export interface EstimatedAccuracy {
  readonly value: number;
  /** Predictions whose confidence it reads (the sketched ones). */
  readonly rows: number;
  readonly reference?: ReferenceBand;
  /** Outside the band: drift; no band (a baseline without chunks) or too few rows: insufficient data. */
  readonly verdict: DriftVerdict;
}

/** Drift of a categorical distribution (predicted classes, received labels) against its baseline. */
export interface CategoryDrift {
  readonly categories: readonly string[];
  readonly counts: readonly number[];
  readonly baselineCounts: readonly number[];
  readonly statistic: 'chisquare' | 'jensenshannon';
  readonly threshold: number;
  readonly verdict: DriftVerdict;
  readonly value?: number;
  readonly pValue?: number;
}

/**
 * Drift of one categorical raw input (a category or boolean input of the spec), from its category
 * counts: top categories, "other" (the baseline's rarer ones) and "unseen" (values the baseline never had).
 */
export interface CategoricalFeatureDrift {
  /** The input's name. */
  readonly name: string;
  /** The baseline's top categories, their counts in the window and in the baseline. */
  readonly categories: readonly string[];
  readonly counts: readonly number[];
  readonly baselineCounts: readonly number[];
  /** Values of the baseline's rarer categories. */
  readonly other: number;
  readonly baselineOther: number;
  /**
   * Values the baseline never had: how many, their share of the window's non-missing values, and the
   * most frequent ones by name with their own shares.
   */
  readonly unseen: {
    readonly count: number;
    readonly share: number;
    readonly names: readonly { readonly name: string; readonly count: number; readonly share: number }[];
  };
  /** Missing values in the window (null, undefined, no category). */
  readonly missing: number;
  /** The window's missing share against the baseline's (as for numeric features); its drift makes `verdict` drift. */
  readonly missingRate?: MissingRateTest & { readonly adjustedPValue?: number; readonly verdict: DriftVerdict };
  /** Two-proportion z-test (two cells), two-sample χ² (p-values) or Jensen–Shannon (natural log, a distance). */
  readonly statistic: 'z' | 'chisquare' | 'jensenshannon';
  readonly threshold: number;
  readonly verdict: DriftVerdict;
  readonly value?: number;
  readonly pValue?: number;
  /** Benjamini–Hochberg adjusted p-value the verdict used (one family with the numeric features). */
  readonly adjustedPValue?: number;
}

/**
 * Multivariate drift: the window's mean PCA reconstruction error (NannyML's data reconstruction drift)
 * against the band of the reference chunks, mean ± 3σ. The band is for chunks of `chunkSize` rows; for a
 * window of `rows` rows its half-width is scaled by `√(chunkSize / rows)` (the σ of a mean of `rows`
 * rows), so it is NannyML's exactly when the window is one chunk.
 */
export interface MultivariateDrift {
  readonly statistic: 'pca-reconstruction';
  /** Rows whose error was computed (the sketched ones). */
  readonly rows: number;
  readonly error: number;
  readonly referenceError: number;
  readonly lower: number;
  readonly upper: number;
  readonly chunkSize: number;
  readonly verdict: DriftVerdict;
}

/** Label-feedback quality of the window next to the baseline's. */
export interface QualityReport extends QualityMetrics {
  readonly baseline?: QualityMetrics;
  /** Received labels' distribution vs the training labels: prior shift / labelling change. */
  readonly labelDrift?: CategoryDrift;
  /** Two-sided two-proportion z-test of window accuracy vs baseline accuracy. */
  readonly accuracyChange?: { readonly difference: number; readonly z: number; readonly pValue: number; readonly verdict: DriftVerdict };
  /**
   * Change detections on the label stream in the window, per detector (`ddm`, `adwin`, `pageHinkley`)
   * and `concept`: the combined verdict of `ConceptDrift` (two detectors agreeing).
   */
  readonly detections: Readonly<Record<string, number>>;
  readonly unmatched: number;
  /** Verdict on concept drift: the combined detector verdict fired, accuracy fell significantly, or labels shifted. */
  readonly conceptDrift: boolean;
}

/** Operational health of the window. */
export interface HealthReport {
  readonly latencyMs: { readonly p50?: number; readonly p95?: number; readonly p99?: number };
  readonly batches: number;
  readonly backends: Readonly<Record<string, number>>;
  /** Share of predictions with a NaN/±Infinity score. */
  readonly nanRate: number;
  /** Refused records over all records seen. */
  readonly invalidRate: number;
  readonly invalidByField: Readonly<Record<string, number>>;
  /** Per nullable input: share of records whose value was missing and imputed. */
  readonly repairRates: Readonly<Record<string, number>>;
  /** Worker time spent on monitoring over inference time. */
  readonly monitoringOverhead?: number;
  /** Share of predictions whose features and outputs were sketched (below 1 when the monitoring budget sampled). */
  readonly sketchedRate: number;
}

/** {@link compare}'s result: every verdict of one window against its version's baseline. */
export interface DriftReport {
  readonly features: readonly QuantityDrift[];
  /** Categorical raw inputs, by category (present when the window and the baseline both count some). */
  readonly categories?: readonly CategoricalFeatureDrift[];
  /** Multivariate drift (present when the baseline ships a multivariate model and the window computed errors). */
  readonly multivariate?: MultivariateDrift;
  readonly prediction:
    | {
        readonly kind: 'classification';
        readonly classes: CategoryDrift;
        readonly confidence: QuantityDrift;
        /** Mean max-probability: the expected accuracy of a calibrated classifier, before any label arrives. */
        readonly expectedAccuracy?: number;
        readonly baselineExpectedAccuracy: number;
        /** Calibrated on the reference (present when the baseline has labels and a calibration). */
        readonly estimatedAccuracy?: EstimatedAccuracy;
      }
    | { readonly kind: 'regression'; readonly outputs: readonly QuantityDrift[] };
  readonly quality: QualityReport;
  readonly health: HealthReport;
  /** Features whose verdict is drift (their distribution or their missing rate), categorical inputs included by name. */
  readonly driftedFeatures: readonly string[];
  /** Any feature, the joint distribution of the features (multivariate), the prediction or the concept drifted. */
  readonly drift: boolean;
}
