import { invalidInput } from './validate.ts';

/** Result of {@link benjaminiHochberg}. */
export interface BenjaminiHochbergResult {
  /** BH-adjusted p-values (q-values), in the input order. */
  readonly adjusted: Float64Array;
  /** Which hypotheses are rejected at the requested false-discovery rate, in the input order. */
  readonly rejected: boolean[];
}

/**
 * Benjamini–Hochberg step-up procedure controlling the false-discovery rate across features.
 *
 * With `m` p-values sorted ascending, the adjusted value of the i-th smallest is
 * `min over j ≥ i of p₍ⱼ₎·m/j`, capped at 1; a hypothesis is rejected when its adjusted p-value is
 * `≤ alpha`, which is the same as rejecting the `k` smallest where `k` is the largest `i` with
 * `p₍ᵢ₎ ≤ i·alpha/m`. Without it, checking 20 healthy features at 0.05 alarms on one most days.
 *
 * @throws EdgewatchError `INPUT_INVALID` when a p-value is outside [0, 1] or `alpha` is not in (0, 1].
 */
export function benjaminiHochberg(pValues: ArrayLike<number>, alpha = 0.05): BenjaminiHochbergResult {
  if (!(alpha > 0 && alpha <= 1)) throw invalidInput('alpha', 'out-of-range', 'alpha must be in (0, 1]');
  const m = pValues.length;
  const order: number[] = [];
  for (let i = 0; i < m; i++) {
    const p = pValues[i];
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw invalidInput('pValues', 'out-of-range', `pValues[${i}] is not a probability`);
    }
    order.push(i);
  }
  order.sort((a, b) => pValues[a] - pValues[b]);
  const adjusted = new Float64Array(m);
  let running = 1;
  // walk from the largest p-value down so each adjusted value is the minimum over the tail
  for (let rank = m; rank >= 1; rank--) {
    const index = order[rank - 1];
    running = Math.min(running, (pValues[index] * m) / rank);
    adjusted[index] = running;
  }
  const rejected = Array.from(adjusted, (q) => q <= alpha);
  return { adjusted, rejected };
}
