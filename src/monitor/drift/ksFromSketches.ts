import type { DDSketch } from '../sketches/DDSketch.ts';
import { kolmogorovSmirnovSf } from './special.ts';
import { invalidInput } from './validate.ts';

/** Result of {@link ksFromSketches}. */
export interface SketchKsResult {
  /** KS D read at the sketches' shared bucket edges: a lower bound of the exact D. */
  readonly statistic: number;
  /** Asymptotic p-value of {@link SketchKsResult.statistic}, as `ksTest` computes it. */
  readonly pValue: number;
  /**
   * The exact D of the underlying samples lies in `[statistic, statistic + errorBound]`: the largest
   * share of either sample that fell into one bucket.
   */
  readonly errorBound: number;
}

/** Throws unless two sketches share a bucket grid. */
export function requireSameGrid(a: DDSketch, b: DDSketch): void {
  if (a.relativeAccuracy !== b.relativeAccuracy) {
    throw invalidInput('b', 'grid-mismatch', 'sketches must have the same relative accuracy to be compared');
  }
  if (a.count === 0 || b.count === 0) throw invalidInput(a.count === 0 ? 'a' : 'b', 'empty', 'sketches must not be empty');
}

/**
 * Two-sample Kolmogorov–Smirnov from two DDSketches with the same relative accuracy, without the
 * samples. Both sketches use the same bucket edges, and each sample's empirical CDF is known exactly at
 * every edge, so D is the largest CDF gap over the edges. Inside a bucket each CDF rises by at most the
 * bucket's share of its sample, so the exact D is at most `statistic + errorBound` (the largest bucket
 * share of either sample): with α = 1 % and a few hundred values per window that is a few percent of
 * mass for a bucket right at a mode, and far less elsewhere. The p-value uses the same asymptotic
 * formula as `ksTest`, with `n = round(n₁n₂/(n₁+n₂))`.
 *
 * @throws EdgewatchError `INPUT_INVALID` for empty sketches or different accuracies.
 */
export function ksFromSketches(a: DDSketch, b: DDSketch): SketchKsResult {
  requireSameGrid(a, b);
  const ca = a.cells();
  const cb = b.cells();
  const na = a.count;
  const nb = b.count;
  let i = 0;
  let j = 0;
  let fa = 0;
  let fb = 0;
  let statistic = 0;
  let errorBound = 0;
  while (i < ca.length || j < cb.length) {
    const edge = i < ca.length && (j >= cb.length || ca[i].upper <= cb[j].upper) ? ca[i].upper : cb[j].upper;
    if (i < ca.length && ca[i].upper === edge) {
      errorBound = Math.max(errorBound, ca[i].weight / na);
      fa += ca[i++].weight;
    }
    if (j < cb.length && cb[j].upper === edge) {
      errorBound = Math.max(errorBound, cb[j].weight / nb);
      fb += cb[j++].weight;
    }
    statistic = Math.max(statistic, Math.abs(fa / na - fb / nb));
  }
  statistic = Math.min(1, statistic);
  const en = (na * nb) / (na + nb);
  const pValue = kolmogorovSmirnovSf(statistic, Math.max(1, Math.round(en)));
  return { statistic, pValue: Math.min(1, Math.max(0, pValue)), errorBound };
}
