/** Median of a non-empty list (sorts a copy). */
export function median(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The non-missing values of `column[0..count)`, sorted ascending (a copy). */
export function sortedPresent(column: Float64Array, count: number): Float64Array {
  let present = 0;
  for (let i = 0; i < count; i++) if (!Number.isNaN(column[i])) present++;
  const sorted = new Float64Array(present);
  let at = 0;
  for (let i = 0; i < count; i++) if (!Number.isNaN(column[i])) sorted[at++] = column[i];
  return sorted.sort();
}

/**
 * The `p` quantile of sorted values by linear interpolation between order statistics (Hyndman–Fan type 7,
 * the default of numpy and R), so parameters fitted here match what a Python notebook computes.
 */
export function quantile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}
