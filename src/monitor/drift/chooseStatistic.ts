import { DriftKind, type DriftStatistic, type FeatureValues } from './DriftStatistic.ts';
import { categoryKeyOf } from './histogram.ts';
import { driftStatistics } from './registry.ts';

/** Knobs of {@link chooseStatistic}; the defaults mirror Evidently's automatic choice. */
export interface ChooseStatisticOptions {
  /**
   * Largest reference size still treated as "small" (default 1000). Above it, hypothesis tests are
   * swapped for distances: with thousands of rows a test flags shifts far too small to matter.
   */
  readonly smallSampleSize?: number;
  /**
   * Numeric features with at most this many distinct values (counted over both windows when the current
   * one is given, as Evidently does) are compared as categories (default 5).
   */
  readonly maxNumericCategories?: number;
  /**
   * Smallest average expected count per category for chi-square (default 5, the textbook rule);
   * sparser tables go to Jensen–Shannon, whose value does not rest on an asymptotic approximation.
   */
  readonly minExpectedPerCategory?: number;
}

/** What {@link chooseStatistic} picked and why. */
export interface StatisticChoice {
  /** The statistic to run. */
  readonly statistic: DriftStatistic;
  /** How to read the values when computing (a low-cardinality numeric feature becomes categorical). */
  readonly kind: DriftKind;
  /** The statistic's default threshold. */
  readonly threshold: number;
  /** Human-readable justification, for reports. */
  readonly reason: string;
}

/**
 * Distinct values over the windows, numbers read as categories are (float noise does not make a value
 * new), stopping early once `limit` is exceeded (only "few or many" matters). NaN is not a value.
 */
function countDistinct(windows: readonly FeatureValues[], limit: number): number {
  const key = categoryKeyOf(...(windows as ArrayLike<string | number | null>[]));
  const seen = new Set<string | number | null>();
  for (const values of windows) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v === 'number' && Number.isNaN(v)) continue;
      seen.add(key(v));
      if (seen.size > limit) return seen.size;
    }
  }
  return seen.size;
}

/**
 * Picks a drift statistic for one feature from its kind, its cardinality (over both windows when
 * `current` is given) and its reference size, in the manner of Evidently's automatic choice:
 *
 * - numeric with ≤ 5 distinct values: treated as categorical (below);
 * - numeric, reference ≤ 1000 rows: Kolmogorov–Smirnov p-value;
 * - numeric, larger: Wasserstein distance normalised by the reference standard deviation;
 * - categorical with two values, reference ≤ 1000 rows: two-proportion z-test;
 * - categorical, reference ≤ 1000 rows and ≥ 5 expected per category: two-sample chi-square p-value;
 * - categorical otherwise: Jensen–Shannon distance (natural log, as Evidently's threshold reads it).
 *
 * Binned PSI is deliberately not chosen for numeric features: its value depends on the binning and
 * it false-alarms on ordinary year-to-year variation (seattle-weather 2012 vs 2013 temp_max gives
 * decile PSI ≈ 0.146 > 0.1, while KS gives p ≈ 0.093).
 */
export function chooseStatistic(kind: DriftKind, reference: FeatureValues, options: ChooseStatisticOptions = {}, current?: FeatureValues): StatisticChoice {
  const smallSampleSize = options.smallSampleSize ?? 1000;
  const maxNumericCategories = options.maxNumericCategories ?? 5;
  const minExpectedPerCategory = options.minExpectedPerCategory ?? 5;
  const n = reference.length;
  const windows = current === undefined ? [reference] : [reference, current];

  const pick = (statistic: DriftStatistic, as: DriftKind, reason: string): StatisticChoice => ({
    statistic,
    kind: as,
    threshold: statistic.defaultThreshold,
    reason,
  });

  if (kind === DriftKind.NUMERIC) {
    const distinct = countDistinct(windows, maxNumericCategories);
    if (distinct > maxNumericCategories) {
      return n <= smallSampleSize
        ? pick(driftStatistics.ks, DriftKind.NUMERIC, `numeric, ${n} ≤ ${smallSampleSize} reference rows`)
        : pick(driftStatistics.wasserstein, DriftKind.NUMERIC, `numeric, ${n} > ${smallSampleSize} reference rows`);
    }
  }
  const categories = countDistinct(windows, Number.POSITIVE_INFINITY);
  const label = kind === DriftKind.NUMERIC ? `numeric with ${categories} distinct values` : 'categorical';
  if (n <= smallSampleSize && categories === 2) {
    return pick(driftStatistics.z, DriftKind.CATEGORICAL, `${label} (binary), ${n} ≤ ${smallSampleSize} reference rows`);
  }
  if (n <= smallSampleSize && categories >= 1 && n / categories >= minExpectedPerCategory) {
    return pick(driftStatistics.chisquare, DriftKind.CATEGORICAL, `${label}, ${n} reference rows over ${categories} categories`);
  }
  return pick(
    driftStatistics.jensenshannon,
    DriftKind.CATEGORICAL,
    n > smallSampleSize ? `${label}, ${n} > ${smallSampleSize} reference rows` : `${label}, under ${minExpectedPerCategory} rows per category`,
  );
}
