import { sortedCopy, toSample } from './validate.ts';

/**
 * First Wasserstein (earth mover's) distance between two 1-D samples, equal to
 * `scipy.stats.wasserstein_distance(a, b)` without weights: `∫ |F_a(t) − F_b(t)| dt`,
 * integrated exactly over the pooled sorted values where both ECDFs are step functions.
 * The result is in the samples' own units.
 *
 * @throws EdgewatchError `INPUT_INVALID` on empty or non-finite samples.
 */
export function wasserstein(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = sortedCopy(toSample(a, 'a'));
  const y = sortedCopy(toSample(b, 'b'));
  const n1 = x.length;
  const n2 = y.length;
  let i = 0;
  let j = 0;
  let total = 0;
  let previous = Math.min(x[0], y[0]);
  while (i < n1 || j < n2) {
    const value = i < n1 && (j >= n2 || x[i] <= y[j]) ? x[i] : y[j];
    // the gap between consecutive pooled values is weighted by the ECDF difference just left of `value`
    total += Math.abs(i / n1 - j / n2) * (value - previous);
    while (i < n1 && x[i] === value) i++;
    while (j < n2 && y[j] === value) j++;
    previous = value;
  }
  return total;
}
