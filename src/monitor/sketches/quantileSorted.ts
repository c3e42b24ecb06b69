/**
 * Order-statistic quantiles, shared by the sketches (baseline histogram edges) and the drift tests
 * (reference-quantile bins). They live with the sketches so that drift depends on sketches, never the
 * reverse: a drift statistic reads sketches, a sketch needs no statistic.
 */

/** Interpolates `a → b` the way numpy does, from the nearer end, so quantile edges match numpy bit for bit. */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Quantile of sorted data with linear interpolation between order statistics
 * (numpy's default `method='linear'`, Hyndman–Fan type 7).
 */
export function quantileSorted(sorted: Float64Array, p: number): number {
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return lerp(sorted[below], sorted[above], position - below);
}
