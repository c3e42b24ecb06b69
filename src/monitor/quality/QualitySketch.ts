import { CategoricalCounts, type CategoricalCountsJSON } from '../sketches/CategoricalCounts.ts';

/** Equal-width confidence bins of the calibration table. */
export const CALIBRATION_BINS = 10;
/** Probabilities are clipped here before `ln`, as scikit-learn's log_loss does, so one 0 is not ∞. */
const MIN_PROBABILITY = 1e-15;

/** Detections per detector name in a window. */
export type DetectionCounts = Readonly<Record<string, number>>;

/** Mergeable label-feedback sums of a classifier in one window. */
export interface ClassificationQualityJSON {
  readonly kind: 'classification';
  /** Predictions joined with a label. */
  readonly labelled: number;
  readonly correct: number;
  /** Σ −ln p(true class). */
  readonly logLoss: number;
  /** Σ over predictions of Σ_c (p_c − 1[c = y])². */
  readonly brier: number;
  /** True labels received (label drift: prior shift shows here). */
  readonly labels: CategoricalCountsJSON;
  /** Per confidence bin (max probability, 10 equal-width bins): count, Σ confidence, Σ correct. */
  readonly calibration: { readonly count: readonly number[]; readonly confidence: readonly number[]; readonly correct: readonly number[] };
  /** Feedback for a prediction that is no longer (or never was) kept on the device. */
  readonly unmatched: number;
  readonly detections: DetectionCounts;
}

/** Mergeable label-feedback sums of a regressor in one window. */
export interface RegressionQualityJSON {
  readonly kind: 'regression';
  readonly labelled: number;
  readonly absError: number;
  readonly squaredError: number;
  readonly unmatched: number;
  readonly detections: DetectionCounts;
}

/** Quality sums of either kind. */
export type QualityJSON = ClassificationQualityJSON | RegressionQualityJSON;

/**
 * Label-feedback quality of one window, kept as sums so that windows and devices merge by adding:
 * accuracy, log loss, Brier score and expected calibration error (classification) or MAE and RMSE
 * (regression) are all ratios of these sums.
 */
export class QualitySketch {
  labelled = 0;
  correct = 0;
  logLoss = 0;
  brier = 0;
  absError = 0;
  squaredError = 0;
  unmatched = 0;
  readonly labels: CategoricalCounts | undefined;
  readonly calibrationCount = new Float64Array(CALIBRATION_BINS);
  readonly calibrationConfidence = new Float64Array(CALIBRATION_BINS);
  readonly calibrationCorrect = new Float64Array(CALIBRATION_BINS);
  readonly detections: Record<string, number> = {};

  /** `labels` for a classifier (its class names), undefined for a regressor. */
  constructor(labels?: readonly string[]) {
    this.labels = labels ? new CategoricalCounts(labels) : undefined;
  }

  /** Joins a classifier's probabilities with the true class index; returns whether it was right. */
  addClassification(scores: ArrayLike<number>, label: number): boolean {
    let best = 0;
    for (let c = 1; c < scores.length; c++) if (scores[c] > scores[best]) best = c;
    const correct = best === label;
    this.labelled++;
    if (correct) this.correct++;
    this.logLoss -= Math.log(Math.max(scores[label] ?? 0, MIN_PROBABILITY));
    for (let c = 0; c < scores.length; c++) this.brier += (scores[c] - (c === label ? 1 : 0)) ** 2;
    this.labels?.addIndex(label);
    const confidence = scores[best];
    const bin = Math.min(CALIBRATION_BINS - 1, Math.max(0, Math.floor(confidence * CALIBRATION_BINS)));
    this.calibrationCount[bin]++;
    this.calibrationConfidence[bin] += confidence;
    if (correct) this.calibrationCorrect[bin]++;
    return correct;
  }

  /** Joins a regressor's prediction with the true value; returns the absolute error. */
  addRegression(predicted: number, actual: number): number {
    const error = Math.abs(predicted - actual);
    this.labelled++;
    this.absError += error;
    this.squaredError += error * error;
    return error;
  }

  /** Counts one detection by detector name. */
  addDetection(name: string): void {
    this.detections[name] = (this.detections[name] ?? 0) + 1;
  }

  /** Adds another window's sums (same kind and labels). */
  merge(other: QualityJSON): this {
    this.labelled += other.labelled;
    this.unmatched += other.unmatched;
    for (const [name, n] of Object.entries(other.detections)) this.detections[name] = (this.detections[name] ?? 0) + n;
    if (other.kind === 'regression') {
      this.absError += other.absError;
      this.squaredError += other.squaredError;
      return this;
    }
    this.correct += other.correct;
    this.logLoss += other.logLoss;
    this.brier += other.brier;
    this.labels?.merge(other.labels);
    for (let b = 0; b < CALIBRATION_BINS; b++) {
      this.calibrationCount[b] += other.calibration.count[b];
      this.calibrationConfidence[b] += other.calibration.confidence[b];
      this.calibrationCorrect[b] += other.calibration.correct[b];
    }
    return this;
  }

  /** Plain JSON. */
  toJSON(): QualityJSON {
    const base = { labelled: this.labelled, unmatched: this.unmatched, detections: { ...this.detections } };
    if (!this.labels) return { kind: 'regression', ...base, absError: this.absError, squaredError: this.squaredError };
    return {
      kind: 'classification',
      ...base,
      correct: this.correct,
      logLoss: this.logLoss,
      brier: this.brier,
      labels: this.labels.toJSON(),
      calibration: {
        count: Array.from(this.calibrationCount),
        confidence: Array.from(this.calibrationConfidence),
        correct: Array.from(this.calibrationCorrect),
      },
    };
  }

  /** Rebuilds sums from {@link QualitySketch.toJSON} output. */
  static fromJSON(json: QualityJSON): QualitySketch {
    return new QualitySketch(json.kind === 'classification' ? json.labels.categories : undefined).merge(json);
  }
}
