import { chiSquareSf } from './special.ts';
import { invalidInput, requireSameLength, toCounts } from './validate.ts';

/** Result of {@link chiSquareTest}. */
export interface ChiSquareTestResult {
  /** Pearson's `Σ (oᵢ − eᵢ)² / eᵢ` with expected counts rescaled to the observed total. */
  readonly statistic: number;
  /** `P(χ²_dof > statistic)`. */
  readonly pValue: number;
  /** Degrees of freedom: number of categories − 1. */
  readonly dof: number;
}

/**
 * Pearson's chi-square goodness-of-fit test, equal to `scipy.stats.chisquare(observed, fExp)` where
 * `fExp` is `expected` rescaled to the observed total, so reference counts from a differently sized
 * window (or plain proportions) can be passed as they are.
 *
 * A category with zero expected count but observed occurrences gives `statistic = Infinity` and
 * `pValue = 0`: a category never seen in the reference is drift, not a numerical accident. Categories
 * that are zero on both sides contribute nothing.
 *
 * @throws EdgewatchError `INPUT_INVALID` on empty, negative, non-finite, zero-total or mismatched input,
 *   or fewer than two categories (no degrees of freedom).
 */
export function chiSquareTest(observed: ArrayLike<number>, expected: ArrayLike<number>): ChiSquareTestResult {
  const o = toCounts(observed, 'observed');
  const e = toCounts(expected, 'expected');
  requireSameLength(o, e, 'expected');
  if (o.length < 2) {
    throw invalidInput('observed', 'too-few-categories', 'observed needs at least two categories');
  }
  let observedTotal = 0;
  let expectedTotal = 0;
  for (let i = 0; i < o.length; i++) {
    observedTotal += o[i];
    expectedTotal += e[i];
  }
  let statistic = 0;
  for (let i = 0; i < o.length; i++) {
    const ei = (e[i] * observedTotal) / expectedTotal;
    if (ei === 0) {
      if (o[i] > 0) statistic = Infinity;
      continue;
    }
    const diff = o[i] - ei;
    statistic += (diff * diff) / ei;
  }
  const dof = o.length - 1;
  return { statistic, pValue: chiSquareSf(statistic, dof), dof };
}
