import { invalidInput, normalise, requireSameLength, toCounts } from './validate.ts';

/** `x·ln(x/y)` with the 0·ln 0 = 0 convention; `y` is a mixture, so it is positive wherever `x` is. */
function relativeEntropyTerm(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(x / y);
}

/**
 * Jensen–Shannon **distance**, equal to `scipy.spatial.distance.jensenshannon(p, q, base)`: the square
 * root of the JS divergence, a metric. The default base is e (natural log), scipy's default and the
 * units Evidently's 0.1 drift threshold is read in; it is bounded by √ln 2 ≈ 0.833 there. `base = 2`
 * gives the [0, 1]-bounded distance (a base-2 value is the natural one over √ln 2, so 0.1 in base 2 is
 * 0.083 in Evidently's units). Both inputs are normalised first, so raw counts are fine.
 *
 * @throws EdgewatchError `INPUT_INVALID` on empty, negative, non-finite, zero-total or mismatched input,
 *   or a base that is not a positive number other than 1.
 */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>, base: number = Math.E): number {
  if (typeof base !== 'number' || !Number.isFinite(base) || base <= 0 || base === 1) {
    throw invalidInput('base', 'invalid-base', 'base must be a positive number other than 1');
  }
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
  const divergence = (left + right) / 2;
  // rounding can leave a tiny negative divergence for near-identical inputs; sqrt of it would be NaN
  return Math.sqrt(Math.max(0, base === Math.E ? divergence : divergence / Math.log(base)));
}
