/** Index of the largest of `width` scores from `at`, or -1 when one of them is NaN or ±Infinity. */
export function argmaxFinite(scores: ArrayLike<number>, at: number, width: number): number {
  let best = 0;
  let top = scores[at];
  // the row's sum is finite exactly when every score is (NaN and ±Infinity propagate; two huge finite
  // scores overflowing to Infinity are checked one by one below): one test per row, not one per score
  let sum = top;
  for (let c = 1; c < width; c++) {
    const s = scores[at + c];
    sum += s;
    if (s > top) {
      top = s;
      best = c;
    }
  }
  if (sum - sum === 0) return best;
  for (let c = 0; c < width; c++) {
    const s = scores[at + c];
    if (s - s !== 0) return -1; // x − x is NaN exactly for NaN and ±Infinity
  }
  return best;
}

/**
 * Each row's class: the index of its largest score, -1 for a row with a NaN or ±Infinity score, into `out`
 * (which must hold `rows`). The worker sends them with its answer (the page need not scan the scores) and
 * monitoring counts them.
 */
export function topClasses(scores: ArrayLike<number>, rows: number, width: number, out: Int32Array): Int32Array {
  for (let r = 0, at = 0; r < rows; r++, at += width) out[r] = argmaxFinite(scores, at, width);
  return out;
}
