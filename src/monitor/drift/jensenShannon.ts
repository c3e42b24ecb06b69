import { normalise, requireSameLength, toCounts } from './validate.ts';

/** `x·ln(x/y)` with the 0·ln 0 = 0 convention; `y` is a mixture, so it is positive wherever `x` is. */
function relativeEntropyTerm(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(x / y);
}

/**
 * Jensen–Shannon **distance** in base 2, equal to `scipy.spatial.distance.jensenshannon(p, q, base=2)`:
 * the square root of the JS divergence, so it is a metric bounded by [0, 1].
 * Both inputs are normalised first, so raw counts are fine.
 *
 * @throws EdgewatchError `INPUT_INVALID` on empty, negative, non-finite, zero-total or mismatched input.
 */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const pn = normalise(toCounts(p, 'p'));
  const qn = normalise(toCounts(q, 'q'));
  requireSameLength(pn, qn, 'q');
  let left = 0;
  let right = 0;
  for (let i = 0; i < pn.length; i++) {
    const m = (pn[i] + qn[i]) / 2;
    left += relativeEntropyTerm(pn[i], m);
    right += relativeEntropyTerm(qn[i], m);
  }
  // rounding can leave a tiny negative divergence for near-identical inputs; sqrt of it would be NaN
  return Math.sqrt(Math.max(0, (left + right) / Math.LN2 / 2));
}
