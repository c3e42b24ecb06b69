import { twoProportionTest } from './twoProportionTest.ts';

/** The missing/invalid share of one feature in a reference and a current window, and its test. */
export interface MissingRateTest {
  /** Values that were NaN (missing) or ±Infinity (invalid), and all values, in the reference. */
  readonly reference: { readonly missing: number; readonly invalid: number; readonly total: number };
  readonly current: { readonly missing: number; readonly invalid: number; readonly total: number };
  readonly referenceRate: number;
  readonly currentRate: number;
  /** z of the rate difference (also given when the p-value is Fisher's exact one). */
  readonly statistic: number;
  readonly pValue: number;
  readonly method: 'z' | 'fisher';
}

/**
 * Tests whether the share of missing or invalid values moved between two windows: a two-proportion
 * test (z, or Fisher's exact test when an expected count is under 5). A pipeline that starts sending
 * NaN for half its rows has drifted even if the values that remain look like training.
 * Undefined when neither window has a missing or invalid value (there is nothing to test).
 */
export function missingRateTest(
  reference: { readonly missing: number; readonly invalid: number; readonly total: number },
  current: { readonly missing: number; readonly invalid: number; readonly total: number },
): MissingRateTest | undefined {
  const badRef = reference.missing + reference.invalid;
  const badCur = current.missing + current.invalid;
  if (badRef + badCur === 0 || reference.total === 0 || current.total === 0) return undefined;
  const r = twoProportionTest(badRef, reference.total, badCur, current.total);
  return {
    reference: { missing: reference.missing, invalid: reference.invalid, total: reference.total },
    current: { missing: current.missing, invalid: current.invalid, total: current.total },
    referenceRate: badRef / reference.total,
    currentRate: badCur / current.total,
    statistic: r.statistic,
    pValue: r.pValue,
    method: r.method,
  };
}
