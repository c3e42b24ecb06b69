import { chiSquareSf } from './special.ts';
import { invalidInput, requireSameLength, toCounts } from './validate.ts';

/** Result of {@link chiSquareContingency}. */
export interface ChiSquareContingencyResult {
  /** Pearson's `Σ (o − e)² / e` over the 2 × k table, `e` from the row and column totals. */
  readonly statistic: number;
  /** `P(χ²_dof > statistic)`. */
  readonly pValue: number;
  /** `k − 1`, k counting only categories seen in either sample. */
  readonly dof: number;
}

/**
 * Two-sample chi-square test of homogeneity: are two count vectors over the same categories draws from
 * one distribution? Equal to `scipy.stats.chi2_contingency([reference, current], correction=False)`
 * (categories that are zero in both samples are left out first, which scipy requires).
 *
 * Unlike a goodness-of-fit test against the reference's proportions, both samples carry sampling error
 * here, so two random halves of the same data false-alarm at the nominal rate; and a category seen in
 * only one sample is an ordinary cell, not an infinite statistic. With fewer than two categories left
 * there is nothing to compare: statistic 0, p-value 1, dof 0.
 *
 * @throws EdgewatchError `INPUT_INVALID` on empty, negative, non-finite, zero-total or mismatched input.
 */
export function chiSquareContingency(reference: ArrayLike<number>, current: ArrayLike<number>): ChiSquareContingencyResult {
  const a = toCounts(reference, 'reference');
  const b = toCounts(current, 'current');
  requireSameLength(a, b, 'current');
  let totalA = 0;
  let totalB = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    totalA += a[i];
    totalB += b[i];
    if (a[i] + b[i] > 0) k++;
  }
  if (k < 2) return { statistic: 0, pValue: 1, dof: 0 };
  const total = totalA + totalB;
  let statistic = 0;
  for (let i = 0; i < a.length; i++) {
    const column = a[i] + b[i];
    if (column === 0) continue;
    const ea = (column * totalA) / total;
    const eb = (column * totalB) / total;
    statistic += (a[i] - ea) ** 2 / ea + (b[i] - eb) ** 2 / eb;
  }
  const dof = k - 1;
  if (!Number.isFinite(statistic)) throw invalidInput('current', 'non-finite', 'counts too large for a chi-square statistic');
  return { statistic, pValue: chiSquareSf(statistic, dof), dof };
}
