import { chiSquareContingency } from './chiSquareContingency.ts';
import { DriftDecision, DriftKind, type DriftStatistic, type DriftStatisticResult, type FeatureValues } from './DriftStatistic.ts';
import { categoryCounts, quantileBinCounts, type PairedCounts } from './histogram.ts';
import { jensenShannon } from './jensenShannon.ts';
import { klDivergence } from './klDivergence.ts';
import { ksTest } from './ksTest.ts';
import { psi } from './psi.ts';
import { twoProportionZTest } from './twoProportionTest.ts';
import { invalidInput, toSample } from './validate.ts';
import { wasserstein } from './wasserstein.ts';

/** Bins used when a count-based statistic meets a numeric feature. */
const NUMERIC_BINS = 10;
/** Floor of the Wasserstein normaliser, so a constant reference does not divide by zero (Evidently's value). */
const MIN_NORMALISER = 0.001;
/** Proportion given to empty bins before KL, which is infinite otherwise (as for PSI). */
const EMPTY_BIN_PROPORTION = 1e-4;

/** Throws when a statistic is asked to compare a kind it does not describe. */
function requireKind(name: string, kinds: readonly DriftKind[], kind: DriftKind): void {
  if (!kinds.includes(kind)) {
    throw invalidInput('kind', 'unsupported-kind', `drift statistic '${name}' does not apply to ${kind} features`);
  }
}

/** Numeric values binned at reference deciles; anything else counted per category. */
function pairedCounts(reference: FeatureValues, current: FeatureValues, kind: DriftKind): PairedCounts {
  return kind === DriftKind.NUMERIC
    ? quantileBinCounts(reference as ArrayLike<number>, current as ArrayLike<number>, NUMERIC_BINS)
    : categoryCounts(reference, current);
}

/** Replaces zero proportions with a small floor (no renormalisation, as PSI does). */
function floorZeros(counts: Float64Array): Float64Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  return counts.map((c) => (c === 0 ? EMPTY_BIN_PROPORTION : c / total));
}

/** Population standard deviation (numpy's default `ddof=0`). */
function populationStd(sample: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < sample.length; i++) mean += sample[i];
  mean /= sample.length;
  let sumSq = 0;
  for (let i = 0; i < sample.length; i++) sumSq += (sample[i] - mean) ** 2;
  return Math.sqrt(sumSq / sample.length);
}

const BOTH = [DriftKind.NUMERIC, DriftKind.CATEGORICAL] as const;
const NUMERIC_ONLY = [DriftKind.NUMERIC] as const;
const CATEGORICAL_ONLY = [DriftKind.CATEGORICAL] as const;

/**
 * The built-in drift statistics, keyed by name. Thresholds follow Evidently's defaults:
 * 0.05 for p-values, 0.1 for distances and divergences.
 */
export const driftStatistics = {
  ks: {
    name: 'ks',
    description: 'Two-sample Kolmogorov–Smirnov test (asymptotic p-value)',
    kinds: NUMERIC_ONLY,
    decision: DriftDecision.P_VALUE,
    defaultThreshold: 0.05,
    compute(reference, current, kind): DriftStatisticResult {
      requireKind('ks', NUMERIC_ONLY, kind);
      return ksTest(reference as ArrayLike<number>, current as ArrayLike<number>);
    },
  },
  wasserstein: {
    name: 'wasserstein',
    description: 'Wasserstein-1 distance divided by the reference standard deviation',
    kinds: NUMERIC_ONLY,
    decision: DriftDecision.DISTANCE,
    defaultThreshold: 0.1,
    compute(reference, current, kind): DriftStatisticResult {
      requireKind('wasserstein', NUMERIC_ONLY, kind);
      const ref = toSample(reference as ArrayLike<number>, 'reference');
      // normalising by the reference spread makes one threshold meaningful across units
      const norm = Math.max(populationStd(ref), MIN_NORMALISER);
      return { statistic: wasserstein(ref, current as ArrayLike<number>) / norm };
    },
  },
  psi: {
    name: 'psi',
    description: 'Population Stability Index (numeric: 10 reference-decile bins)',
    kinds: BOTH,
    decision: DriftDecision.DISTANCE,
    defaultThreshold: 0.1,
    compute(reference, current, kind): DriftStatisticResult {
      const counts = pairedCounts(reference, current, kind);
      return { statistic: psi(counts.reference, counts.current) };
    },
  },
  jensenshannon: {
    name: 'jensenshannon',
    description: 'Jensen–Shannon distance, natural log as Evidently reads its 0.1 threshold (numeric: 10 reference-decile bins)',
    kinds: BOTH,
    decision: DriftDecision.DISTANCE,
    defaultThreshold: 0.1,
    compute(reference, current, kind): DriftStatisticResult {
      const counts = pairedCounts(reference, current, kind);
      return { statistic: jensenShannon(counts.reference, counts.current) };
    },
  },
  kl_div: {
    name: 'kl_div',
    description: 'Kullback–Leibler divergence of reference from current, empty bins floored at 1e-4',
    kinds: BOTH,
    decision: DriftDecision.DISTANCE,
    defaultThreshold: 0.1,
    compute(reference, current, kind): DriftStatisticResult {
      const counts = pairedCounts(reference, current, kind);
      return { statistic: klDivergence(floorZeros(counts.reference), floorZeros(counts.current)) };
    },
  },
  chisquare: {
    name: 'chisquare',
    description: "Pearson's two-sample chi-square test of homogeneity (reference counts vs current counts)",
    kinds: CATEGORICAL_ONLY,
    decision: DriftDecision.P_VALUE,
    defaultThreshold: 0.05,
    compute(reference, current, kind): DriftStatisticResult {
      requireKind('chisquare', CATEGORICAL_ONLY, kind);
      // both windows are samples: a goodness-of-fit test against the reference's proportions treats them
      // as known and false-alarms on a third of random halves of the same data
      const counts = categoryCounts(reference, current);
      if (counts.reference.length < 2) return { statistic: 0, pValue: 1 };
      const r = chiSquareContingency(counts.reference, counts.current);
      return { statistic: r.statistic, pValue: r.pValue };
    },
  },
  z: {
    name: 'z',
    description: 'Two-proportion z-test for a binary feature (share of its first value in reference vs current)',
    kinds: CATEGORICAL_ONLY,
    decision: DriftDecision.P_VALUE,
    defaultThreshold: 0.05,
    compute(reference, current, kind): DriftStatisticResult {
      requireKind('z', CATEGORICAL_ONLY, kind);
      const counts = categoryCounts(reference, current);
      if (counts.reference.length < 2) return { statistic: 0, pValue: 1 };
      if (counts.reference.length > 2) {
        throw invalidInput('current', 'not-binary', `the z-test compares two values, the windows hold ${counts.reference.length}`);
      }
      const r = twoProportionZTest(counts.reference[0], reference.length, counts.current[0], current.length);
      return { statistic: r.statistic, pValue: r.pValue };
    },
  },
} as const satisfies Record<string, DriftStatistic>;

/** Name of a built-in statistic in {@link driftStatistics}. */
export type DriftStatisticName = keyof typeof driftStatistics;
