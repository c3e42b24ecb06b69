import { chiSquareContingency } from '../drift/chiSquareContingency.ts';
import { foldPooled } from './foldPooled.ts';
import { jensenShannon } from '../drift/jensenShannon.ts';
import { type MissingRateTest, missingRateTest } from '../drift/missingRate.ts';
import { driftStatistics } from '../drift/registry.ts';
import { twoProportionZTest } from '../drift/twoProportionTest.ts';
import type { CategorySketchJSON } from '../sketches/CategorySketch.ts';
import type { CategoricalFeatureDrift } from './DriftReport.ts';

/**
 * A window's counts over the baseline's top categories: unchanged when both have the same ones (the
 * usual case: the device took them from this baseline); otherwise (a window sketched before the baseline
 * arrived) each category by name, a rare one of the baseline as "other", the rest as unseen.
 */
function onto(window: CategorySketchJSON, baseline: CategorySketchJSON): CategorySketchJSON {
  const same = window.categories.length === baseline.categories.length && window.categories.every((c, i) => c === baseline.categories[i]);
  if (same) return window;
  const index = new Map(baseline.categories.map((c, i) => [c, i]));
  const rare = new Set(baseline.rare ?? []);
  const counts = baseline.categories.map(() => 0);
  let other = window.other;
  let unseen = window.unseen;
  const names = [...window.unseenNames];
  const named = [...window.unseenCounts];
  window.categories.forEach((c, i) => {
    const at = index.get(c);
    if (at !== undefined) counts[at] += window.counts[i];
    else if (rare.has(c)) other += window.counts[i];
    else if (window.counts[i] > 0) {
      unseen += window.counts[i];
      names.push(c);
      named.push(window.counts[i]);
    }
  });
  return { ...window, categories: baseline.categories, counts, other, unseen, unseenNames: names, unseenCounts: named };
}

/** A categorical input's result before the Benjamini–Hochberg step (see `compare`). */
export interface PendingCategoryDrift {
  readonly drift: Omit<CategoricalFeatureDrift, 'verdict' | 'adjustedPValue' | 'missingRate'>;
  readonly testable: boolean;
  readonly missing?: MissingRateTest;
}

/**
 * One categorical input's window sketch against its baseline sketch. Both are samples, so the cells —
 * each top category, "other" (the baseline's rarer categories) and "unseen" (values the baseline never
 * had) — form a 2 × k contingency table; cells empty on both sides are left out. The statistic follows
 * `chooseStatistic` (Evidently's rule) on those cells: two cells and a baseline of ≤ `smallSampleSize`
 * values, the two-proportion z-test; more cells, the two-sample χ² when the baseline averages ≥ 5 per
 * cell; otherwise (large baselines) Jensen–Shannon in natural-log units. With every category of the
 * baseline among its top ones the cells are the exact samples' categories, so the result is the one
 * `detectDrift` gives on the raw values.
 */
export function categoryDrift(
  name: string,
  window: CategorySketchJSON,
  baseline: CategorySketchJSON,
  options: { readonly minSampleSize: number; readonly smallSampleSize: number },
): PendingCategoryDrift {
  const current = onto(window, baseline);
  // categories an exporter's k-anonymity pooled into "other" are read as part of it (see foldPooled)
  const f = foldPooled(current.counts, current.other, baseline.counts, baseline.other);
  const ref = [...f.baseline, f.baselineOther, baseline.unseen];
  const cur = [...f.current, f.currentOther, current.unseen];
  const keep = ref.map((r, i) => r > 0 || cur[i] > 0);
  const a = ref.filter((_, i) => keep[i]);
  const b = cur.filter((_, i) => keep[i]);
  const n = a.reduce((x, y) => x + y, 0);
  const m = b.reduce((x, y) => x + y, 0);
  const cells = a.length;
  const statistic: CategoricalFeatureDrift['statistic'] =
    n <= options.smallSampleSize && cells === 2 ? 'z' : n <= options.smallSampleSize && n / Math.max(1, cells) >= 5 ? 'chisquare' : 'jensenshannon';
  const share = (x: number) => (m > 0 ? x / m : 0);
  const base = {
    name,
    categories: current.categories,
    counts: current.counts,
    baselineCounts: baseline.counts,
    other: current.other,
    baselineOther: baseline.other,
    unseen: {
      count: current.unseen,
      share: share(current.unseen),
      names: current.unseenNames.map((unseen, i) => ({ name: unseen, count: current.unseenCounts[i], share: share(current.unseenCounts[i]) })),
    },
    missing: current.missing,
    statistic,
    threshold: driftStatistics[statistic].defaultThreshold,
  };
  const refTotal = n + baseline.missing;
  const curTotal = m + current.missing;
  const missing =
    curTotal >= options.minSampleSize && refTotal > 0
      ? missingRateTest({ missing: baseline.missing, invalid: 0, total: refTotal }, { missing: current.missing, invalid: 0, total: curTotal })
      : undefined;
  const extra = missing ? { missing } : {};
  if (m < options.minSampleSize || n === 0 || cells < 2) return { drift: base, testable: false, ...extra };
  if (statistic === 'z') {
    const r = twoProportionZTest(a[0], n, b[0], m);
    return { drift: { ...base, value: r.statistic, pValue: r.pValue }, testable: true, ...extra };
  }
  if (statistic === 'chisquare') {
    const r = chiSquareContingency(a, b);
    return { drift: { ...base, value: r.statistic, pValue: r.pValue }, testable: true, ...extra };
  }
  return { drift: { ...base, value: jensenShannon(a, b) }, testable: true, ...extra };
}
