import { kolmogorovSmirnovSf } from './special.ts';
import { sortedCopy, toSample } from './validate.ts';

/** Result of {@link ksTest}. */
export interface KsTestResult {
  /** `D = sup |F_a − F_b|`, the largest gap between the two empirical CDFs, in [0, 1]. */
  readonly statistic: number;
  /** Two-sided asymptotic p-value (scipy's `method='asymp'`). */
  readonly pValue: number;
}

/** numpy's `round`: halves go to the even neighbour, which decides `n` when `n₁n₂/(n₁+n₂)` ends in .5. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Two-sample, two-sided Kolmogorov–Smirnov test, matching `scipy.stats.ks_2samp(a, b, method='asymp')`.
 *
 * The statistic is exact: both samples are sorted and merge-walked, and the ECDF gap is taken only
 * after every copy of a tied value has been consumed on both sides, which is scipy's evaluation at
 * all pooled values with right-continuous ECDFs. The p-value is the one-sample Kolmogorov–Smirnov
 * survival function at `n = round(n₁n₂/(n₁+n₂))`, as scipy's asymptotic mode does; it is meant for
 * samples of about 100 or more (scipy would switch to an exact permutation count below that).
 *
 * @throws EdgewatchError `INPUT_INVALID` on empty or non-finite samples.
 */
export function ksTest(a: ArrayLike<number>, b: ArrayLike<number>): KsTestResult {
  const x = sortedCopy(toSample(a, 'a'));
  const y = sortedCopy(toSample(b, 'b'));
  const n1 = x.length;
  const n2 = y.length;
  let i = 0;
  let j = 0;
  let maxPlus = 0;
  let maxMinus = 0;
  while (i < n1 || j < n2) {
    const value = i < n1 && (j >= n2 || x[i] <= y[j]) ? x[i] : y[j];
    while (i < n1 && x[i] === value) i++;
    while (j < n2 && y[j] === value) j++;
    // the same float expression scipy forms (cdf1 − cdf2), so D matches bit for bit
    const diff = i / n1 - j / n2;
    if (diff > maxPlus) maxPlus = diff;
    if (-diff > maxMinus) maxMinus = -diff;
  }
  const statistic = Math.min(1, Math.max(maxPlus, maxMinus));
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  const pValue = kolmogorovSmirnovSf(statistic, Math.max(1, roundHalfEven(en)));
  return { statistic, pValue: Math.min(1, Math.max(0, pValue)) };
}
