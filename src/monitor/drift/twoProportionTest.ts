import { lnGamma, normalTwoSided } from './special.ts';
import { invalidInput } from './validate.ts';

/** Result of {@link twoProportionZTest} and {@link twoProportionTest}. */
export interface TwoProportionTestResult {
  /** `p₂ − p₁` over its pooled standard error (0 when there is no spread at all). */
  readonly statistic: number;
  readonly pValue: number;
  /** `'z'` (normal approximation) or `'fisher'` (exact, for small expected counts). */
  readonly method: 'z' | 'fisher';
}

function check(x: number, n: number, field: string): void {
  if (!Number.isInteger(n) || n <= 0) throw invalidInput(field, 'not-a-count', `${field}: the sample size must be a positive integer`);
  if (!Number.isInteger(x) || x < 0 || x > n) throw invalidInput(field, 'not-a-count', `${field}: the count must be an integer in [0, n]`);
}

function zOf(x1: number, n1: number, x2: number, n2: number): number {
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return se > 0 ? (x2 / n2 - x1 / n1) / se : 0;
}

/**
 * Two-sided two-proportion z-test with the pooled standard error: `x₁` of `n₁` against `x₂` of `n₂`.
 * Its p-value equals `scipy.stats.chi2_contingency([[x₁, n₁−x₁], [x₂, n₂−x₂]], correction=False)`'s
 * (z² is that χ²); Evidently's `z` test for binary features.
 *
 * @throws EdgewatchError `INPUT_INVALID` unless `0 ≤ x ≤ n`, integers, `n > 0`.
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): TwoProportionTestResult {
  check(x1, n1, 'reference');
  check(x2, n2, 'current');
  const z = zOf(x1, n1, x2, n2);
  return { statistic: z, pValue: normalTwoSided(z), method: 'z' };
}

/** ln C(n, k). */
function lnChoose(n: number, k: number): number {
  return lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1);
}

/**
 * Two-sided Fisher exact p-value of the 2 × 2 table `[[x₁, n₁−x₁], [x₂, n₂−x₂]]`, as
 * `scipy.stats.fisher_exact`: the hypergeometric probability of every table with the same margins that
 * is no more likely than the observed one (relative tolerance 1e-7).
 */
export function fisherExactPValue(x1: number, n1: number, x2: number, n2: number): number {
  check(x1, n1, 'reference');
  check(x2, n2, 'current');
  const k = x1 + x2;
  const n = n1 + n2;
  const lo = Math.max(0, k - n2);
  const hi = Math.min(k, n1);
  const lnTotal = lnChoose(n, k);
  const lnPmf = (x: number) => lnChoose(n1, x) + lnChoose(n2, k - x) - lnTotal;
  const observed = lnPmf(x1);
  const bound = observed + Math.log1p(1e-7);
  let p = 0;
  for (let x = lo; x <= hi; x++) {
    const l = x === x1 ? observed : lnPmf(x);
    if (l <= bound) p += Math.exp(l);
  }
  return Math.min(1, p);
}

/**
 * A two-proportion test that stays honest on small counts: the z-test when every expected cell of the
 * 2 × 2 table is at least 5 (the textbook rule for the normal approximation), Fisher's exact test
 * otherwise — so one missing value in a window, against a baseline with none, is not "drift".
 */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number): TwoProportionTestResult {
  check(x1, n1, 'reference');
  check(x2, n2, 'current');
  const n = n1 + n2;
  const k = x1 + x2;
  const smallest = (Math.min(n1, n2) * Math.min(k, n - k)) / n;
  if (smallest >= 5) return twoProportionZTest(x1, n1, x2, n2);
  return { statistic: zOf(x1, n1, x2, n2), pValue: fisherExactPValue(x1, n1, x2, n2), method: 'fisher' };
}
