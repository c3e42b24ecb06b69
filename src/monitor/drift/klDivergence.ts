import { normalise, requireSameLength, toCounts } from './validate.ts';

/**
 * Kullback–Leibler divergence `Σ pᵢ·ln(pᵢ/qᵢ)` in nats, equal to `scipy.stats.entropy(p, q)`:
 * both inputs are normalised first, bins with `pᵢ = 0` contribute nothing, and a bin with
 * `pᵢ > 0` but `qᵢ = 0` makes the divergence `Infinity`.
 *
 * @param p - counts or proportions of the distribution being described (e.g. current).
 * @param q - counts or proportions of the approximating distribution (e.g. reference).
 * @throws EdgewatchError `INPUT_INVALID` on empty, negative, non-finite, zero-total or mismatched input.
 */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const pn = normalise(toCounts(p, 'p'));
  const qn = normalise(toCounts(q, 'q'));
  requireSameLength(pn, qn, 'q');
  let sum = 0;
  for (let i = 0; i < pn.length; i++) {
    if (pn[i] === 0) continue;
    if (qn[i] === 0) return Infinity;
    sum += pn[i] * Math.log(pn[i] / qn[i]);
  }
  return sum;
}
