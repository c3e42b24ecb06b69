/**
 * Undoes, for a test, what k-anonymity did to unordered counts: the exporter moves every class or category
 * under k events into "other", which leaves those cells at 0 and "other" larger than the baseline
 * predicts — read cell by cell, a healthy window then looks drifted. When the window's "other" is larger
 * than the baseline's share of it would expect, the cells the window has at 0 (and the baseline has
 * some of) are folded into "other" on both sides: a coarser table, still a valid two-sample test, whose
 * cells are exactly the ones the window could report. Otherwise the counts are returned as they are.
 * `seen` (how many events the counts describe, where the window knows it) brings back what an "other"
 * still under k lost: the shortfall joins "other".
 */
export function foldPooled(
  current: readonly number[],
  currentOther: number,
  baseline: readonly number[],
  baselineOther: number,
  seen?: number,
): { current: number[]; currentOther: number; baseline: number[]; baselineOther: number } {
  const n = baseline.reduce((a, b) => a + b, baselineOther);
  const counted = current.reduce((a, b) => a + b, currentOther);
  const lost = seen !== undefined && seen > counted ? seen - counted : 0;
  const m = counted + lost;
  const expectedOther = n > 0 ? (baselineOther / n) * m : 0;
  const other = currentOther + lost;
  const fold = other > expectedOther ? current.map((c, i) => c === 0 && baseline[i] > 0) : current.map(() => false);
  let folded = 0;
  const base = baseline.map((b, i) => {
    if (!fold[i]) return b;
    folded += b;
    return 0;
  });
  return { current: [...current], currentOther: other, baseline: base, baselineOther: baselineOther + folded };
}
