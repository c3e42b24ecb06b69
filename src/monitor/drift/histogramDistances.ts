import type { BinnedHistogramJSON } from '../sketches/BinnedHistogram.ts';
import type { SketchKsResult } from './ksFromSketches.ts';
import { kolmogorovSmirnovSf } from './special.ts';
import type { SketchWassersteinResult } from './wassersteinFromSketches.ts';
import { invalidInput } from './validate.ts';

function totalOf(counts: readonly number[]): number {
  let n = 0;
  for (const c of counts) n += c;
  return n;
}

/** Throws unless two histograms count over the same edges and neither is empty. */
function requireSameBins(a: BinnedHistogramJSON, b: BinnedHistogramJSON): { na: number; nb: number } {
  if (a.edges.length !== b.edges.length || a.edges.some((e, i) => e !== b.edges[i]) || a.counts.length !== b.counts.length) {
    throw invalidInput('b', 'grid-mismatch', 'histograms must share their edges to be compared');
  }
  const na = totalOf(a.counts);
  const nb = totalOf(b.counts);
  if (na === 0 || nb === 0) throw invalidInput(na === 0 ? 'a' : 'b', 'empty', 'histograms must not be empty');
  return { na, nb };
}

/**
 * Two-sample Kolmogorov–Smirnov from two histograms over the same edges — the baseline's quantiles,
 * which every window of the version counts into. Each sample's empirical CDF is known exactly at every
 * edge, so D is the largest CDF gap there: a lower bound of the exact D, which is at most
 * `statistic + errorBound` (the largest bin share of either sample). Because the edges are quantiles of
 * the baseline's own values, the counts, and so D and its p-value, do not change when the values are
 * shifted or rescaled (kelvin or celsius), unlike a relative-error quantile sketch's buckets. The p-value
 * is `ksTest`'s asymptotic one with `n = round(n₁n₂/(n₁+n₂))`.
 *
 * @throws EdgewatchError `INPUT_INVALID` for empty histograms or different edges.
 */
export function ksFromHistograms(a: BinnedHistogramJSON, b: BinnedHistogramJSON): SketchKsResult {
  const { na, nb } = requireSameBins(a, b);
  let fa = 0;
  let fb = 0;
  let statistic = 0;
  let errorBound = 0;
  for (let i = 0; i < a.counts.length; i++) {
    errorBound = Math.max(errorBound, a.counts[i] / na, b.counts[i] / nb);
    fa += a.counts[i];
    fb += b.counts[i];
    statistic = Math.max(statistic, Math.abs(fa / na - fb / nb));
  }
  statistic = Math.min(1, statistic);
  const pValue = kolmogorovSmirnovSf(statistic, Math.max(1, Math.round((na * nb) / (na + nb))));
  return { statistic, pValue: Math.min(1, Math.max(0, pValue)), errorBound };
}

/** ∫₀ʷ |d₀ + (d₁ − d₀)·t/w| dt: a linear CDF gap over one bin. */
function linearGapArea(d0: number, d1: number, width: number): number {
  if (width <= 0) return 0;
  if (d0 * d1 >= 0) return (width * (Math.abs(d0) + Math.abs(d1))) / 2;
  return (width * (d0 * d0 + d1 * d1)) / (2 * (Math.abs(d0) + Math.abs(d1)));
}

/**
 * Wasserstein-1 distance from two histograms over the same edges, each sample spread evenly over its
 * bins (the under- and overflow bins reach to the smallest and largest value of either sample, `min` and
 * `max`): the area between the two piecewise-linear CDFs. Exact for values spread evenly within bins;
 * otherwise off by at most what spreading costs, `Σ width · (share in A + share in B)` (`errorBound`, by
 * the triangle inequality: moving a bin's share anywhere within it costs at most its width).
 * Shifting every value moves the edges, `min` and `max` with it, so the distance does not change.
 *
 * @throws EdgewatchError `INPUT_INVALID` for empty histograms or different edges.
 */
export function wassersteinFromHistograms(a: BinnedHistogramJSON, b: BinnedHistogramJSON, min: number, max: number): SketchWassersteinResult {
  const { na, nb } = requireSameBins(a, b);
  const edges = a.edges;
  const k = edges.length;
  // the cells' bounds: [min, e₀), then the bins, then (e_last, max]; one edge: <, = (no width), >
  const bounds: [number, number][] = [[Math.min(min, edges[0]), edges[0]]];
  if (k === 1) bounds.push([edges[0], edges[0]]);
  for (let i = 0; i + 1 < k; i++) bounds.push([edges[i], edges[i + 1]]);
  bounds.push([edges[k - 1], Math.max(max, edges[k - 1])]);
  let fa = 0;
  let fb = 0;
  let distance = 0;
  let errorBound = 0;
  for (let i = 0; i < bounds.length; i++) {
    const before = fa / na - fb / nb;
    fa += a.counts[i];
    fb += b.counts[i];
    const after = fa / na - fb / nb;
    const width = bounds[i][1] - bounds[i][0];
    distance += linearGapArea(before, after, width);
    errorBound += width * (a.counts[i] / na + b.counts[i] / nb);
  }
  return { distance, errorBound };
}
