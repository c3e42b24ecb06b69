/** What a feature's values are, as far as drift statistics care. */
export const DriftKind = {
  /** Continuous or many-valued numbers: compared through their distributions. */
  NUMERIC: 'numeric',
  /** Labels (or numbers with only a handful of distinct values): compared through category counts. */
  CATEGORICAL: 'categorical',
} as const;

/** One of the {@link DriftKind} strings. */
export type DriftKind = (typeof DriftKind)[keyof typeof DriftKind];

/** How a statistic's threshold is read. */
export const DriftDecision = {
  /** A hypothesis test: drift when the p-value falls below the threshold. */
  P_VALUE: 'p-value',
  /** A distance or divergence: drift when the value reaches the threshold. */
  DISTANCE: 'distance',
} as const;

/** One of the {@link DriftDecision} strings. */
export type DriftDecision = (typeof DriftDecision)[keyof typeof DriftDecision];

/**
 * A feature's values in one window. Numeric features need finite numbers (typed arrays welcome);
 * categorical features may use strings, numbers or `null`, and `null` counts as a category of its
 * own because a surge of missing values is drift worth seeing.
 */
export type FeatureValues = ArrayLike<number> | ArrayLike<string | number | null>;

/** What {@link DriftStatistic.compute} returns. */
export interface DriftStatisticResult {
  /** The statistic itself: KS D, chi-square, a distance or divergence. */
  readonly statistic: number;
  /** Present for hypothesis tests ({@link DriftDecision.P_VALUE}). */
  readonly pValue?: number;
}

/**
 * A described, pluggable drift statistic: what it applies to, how to read it, and how to compute it
 * from a reference window and a current window of one feature.
 */
export interface DriftStatistic<Name extends string = string> {
  /** Registry key, e.g. `'ks'`. */
  readonly name: Name;
  /** One line for reports and UIs. */
  readonly description: string;
  /** Feature kinds this statistic can compare. */
  readonly kinds: readonly DriftKind[];
  /** Whether {@link DriftStatistic.defaultThreshold} bounds a p-value or a distance. */
  readonly decision: DriftDecision;
  /** Threshold used when the caller gives none. */
  readonly defaultThreshold: number;
  /**
   * Compares the two windows; `kind` says how to read the values (numbers binned or compared as
   * samples, or values counted as categories).
   */
  compute(reference: FeatureValues, current: FeatureValues, kind: DriftKind): DriftStatisticResult;
}
