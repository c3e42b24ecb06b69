import { normalise, requireSameLength, toCounts } from './validate.ts';

/** Proportion substituted for an empty bin: keeps `ln(a/e)` finite, as Evidently and most PSI tooling do. */
const EMPTY_BIN_PROPORTION = 1e-4;

/**
 * Population Stability Index between two binned distributions:
 * `Σ (aᵢ − eᵢ)·ln(aᵢ/eᵢ)` over proportions, where any zero proportion is replaced by `1e-4`.
 *
 * @param expectedCounts - reference (baseline) counts or proportions per bin; normalised here.
 * @param actualCounts - current counts or proportions over the same bins.
 * @returns PSI ≥ 0; 0 for identical distributions. Rules of thumb: < 0.1 stable, > 0.25 shifted.
 * @throws EdgewatchError `INPUT_INVALID` on empty, negative, non-finite, zero-total or mismatched input.
 */
export function psi(expectedCounts: ArrayLike<number>, actualCounts: ArrayLike<number>): number {
  const e = normalise(toCounts(expectedCounts, 'expectedCounts'));
  const a = normalise(toCounts(actualCounts, 'actualCounts'));
  requireSameLength(e, a, 'actualCounts');
  let sum = 0;
  for (let i = 0; i < e.length; i++) {
    // the substitution happens after normalising, without renormalising, to match the usual definition
    const ei = e[i] === 0 ? EMPTY_BIN_PROPORTION : e[i];
    const ai = a[i] === 0 ? EMPTY_BIN_PROPORTION : a[i];
    sum += (ai - ei) * Math.log(ai / ei);
  }
  return sum;
}
