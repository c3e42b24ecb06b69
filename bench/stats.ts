/** Small helpers for bench numbers. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const at = Math.min(sorted.length - 1, Math.max(0, Math.round((p / 100) * (sorted.length - 1))));
  return sorted[at];
}

export const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/**
 * One run's ratio of p50s, `a` over `b` (call `i` of each timed in the same round), split into `blocks`
 * blocks of consecutive rounds: each block's ratio, and their median, lowest and highest. The spread says how
 * far the whole run's ratio can be trusted on a noisy machine (a load that came and went moves some blocks).
 */
export function blockRatios(a: readonly number[], b: readonly number[], blocks = 5) {
  const size = Math.floor(Math.min(a.length, b.length) / blocks);
  const ratios: number[] = [];
  for (let k = 0; k < blocks && size > 0; k++) {
    ratios.push(percentile(a.slice(k * size, (k + 1) * size), 50) / percentile(b.slice(k * size, (k + 1) * size), 50));
  }
  return { blocks: ratios.length, median: round(percentile(ratios, 50)), min: round(Math.min(...ratios)), max: round(Math.max(...ratios)) };
}
