import { EdgewatchError, ErrorCode } from '../../errors.ts';
import type { OutputSketchJSON } from '../Baseline.ts';
import type { QualityJSON } from '../quality/QualitySketch.ts';
import type { CategoricalCountsJSON } from '../sketches/CategoricalCounts.ts';
import type { CategorySketchJSON } from '../sketches/CategorySketch.ts';
import type { DDSketchJSON } from '../sketches/DDSketch.ts';
import type { FeatureSketchJSON } from '../sketches/FeatureSketch.ts';
import type { WindowSketchJSON } from '../WindowSketch.ts';

/** What {@link kAnonymize} changed. */
export interface Suppression {
  readonly k: number;
  /** Buckets, bins and categories that held fewer than k events: pooled into a neighbour or "other", or zeroed. */
  readonly suppressedBuckets: number;
}

/**
 * Prepares a window for leaving the device so that no exported number describes fewer than `k` events
 * (but more than zero). Ordered bins (histograms, quantile buckets) under k are pooled into the next bin
 * until the run holds k, the last short run into the bin before it; class and category counts under k
 * move to "other". Pooling keeps every total, so a histogram's CDF moves by less than k/n at any edge
 * and a healthy window still reads healthy (zeroing the small bins instead took most of a sketch's mass
 * away and made the drift tests fire on the training data itself). What cannot be pooled is zeroed:
 * scalars under k, an "other" still under k, calibration bins (withheld whole). Min and max, which are
 * single events' values, are withheld (written as the mean); a window with fewer than k predictions is
 * not exported at all (undefined). Quantile sketches leave without the empty buckets at their ends.
 *
 * @throws EdgewatchError `INPUT_INVALID` unless k is a positive integer.
 */
export function kAnonymize(window: WindowSketchJSON, k: number): { window: WindowSketchJSON; suppression: Suppression } | undefined {
  if (!Number.isInteger(k) || k < 1) throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'k must be a positive integer', { field: 'k', reason: 'out-of-range' });
  if (window.predictions < k) return undefined;
  let suppressed = 0;
  const small = (n: number) => n > 0 && n < k;
  // Ordered bins: a short bin's events join the next bins until the run holds k; a short run left at the
  // end joins the last bin that was kept. Only where the whole list holds fewer than k is anything lost.
  const counts = (list: readonly number[]) => {
    const out = list.map(() => 0);
    let carry = 0;
    let last = -1;
    list.forEach((n, i) => {
      if (small(n)) suppressed++;
      carry += n;
      if (carry >= k) {
        out[i] = carry;
        carry = 0;
        last = i;
      }
    });
    if (carry > 0 && last >= 0) out[last] += carry;
    return out;
  };
  // Unordered counts: a short class or category moves to "other"; an "other" still short is zeroed.
  const pooled = (list: readonly number[], other: number) => {
    let rest = other;
    const out = list.map((n) => {
      if (!small(n)) return n;
      suppressed++;
      rest += n;
      return 0;
    });
    return { counts: out, other: scalar(rest) };
  };
  const scalar = (n: number) => {
    if (!small(n)) return n;
    suppressed++;
    return 0;
  };
  const record = (r: Readonly<Record<string, number>>) => Object.fromEntries(Object.entries(r).map(([key, n]) => [key, scalar(n)]));
  // Empty buckets at either end are dropped: the device keeps a fixed span so its rows do not grow with
  // traffic (see QuantileFrame), an export need not carry it (trimmed sketches merge all the same).
  const trimmed = (offset: number, list: readonly number[]) => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi && list[lo] === 0) lo++;
    while (hi > lo && list[hi - 1] === 0) hi--;
    return lo === hi ? { offset: 0, counts: [] } : { offset: offset + lo, counts: list.slice(lo, hi) };
  };
  const dd = (s: DDSketchJSON): DDSketchJSON => {
    const positive = trimmed(s.positive.offset, counts(s.positive.counts));
    const negative = trimmed(s.negative.offset, counts(s.negative.counts));
    const zeroCount = scalar(s.zeroCount);
    const sum = (c: readonly number[]) => c.reduce((a, b) => a + b, 0);
    return { ...s, positive, negative, zeroCount, count: sum(positive.counts) + sum(negative.counts) + zeroCount };
  };
  const feature = (f: FeatureSketchJSON): FeatureSketchJSON => ({
    count: f.count,
    missing: scalar(f.missing),
    invalid: scalar(f.invalid),
    moments: { ...f.moments, min: f.moments.mean, max: f.moments.mean },
    histogram: { edges: f.histogram.edges, counts: counts(f.histogram.counts) },
    quantiles: dd(f.quantiles),
  });
  const features = (r: Readonly<Record<string, FeatureSketchJSON>>) => Object.fromEntries(Object.entries(r).map(([n, f]) => [n, feature(f)]));
  const categorical = (c: CategoricalCountsJSON): CategoricalCountsJSON => ({ categories: c.categories, ...pooled(c.counts, c.other) });
  const out = window.outputs;
  const outputs: OutputSketchJSON =
    out.kind === 'classification'
      ? { kind: 'classification', classes: categorical(out.classes), confidence: feature(out.confidence), scores: features(out.scores) }
      : { kind: 'regression', values: features(out.values) };
  const q = window.quality;
  let quality: QualityJSON;
  if (q.kind === 'classification') {
    // a calibration bin under k is withheld whole: its confidence and correct sums describe the same events
    const keep = q.calibration.count.map((n) => !small(n));
    suppressed += keep.filter((x, i) => !x && q.calibration.count[i] > 0).length;
    quality = {
      ...q,
      labels: categorical(q.labels),
      calibration: {
        count: q.calibration.count.map((n, i) => (keep[i] ? n : 0)),
        confidence: q.calibration.confidence.map((n, i) => (keep[i] ? n : 0)),
        correct: q.calibration.correct.map((n, i) => (keep[i] ? n : 0)),
      },
    };
  } else {
    quality = q;
  }
  // category counts like any bucket; an unseen value's name leaves only with at least k events behind it
  const category = (c: CategorySketchJSON): CategorySketchJSON => {
    const named: { name: string; n: number }[] = [];
    c.unseenNames.forEach((name, i) => {
      if (small(c.unseenCounts[i])) suppressed++;
      else named.push({ name, n: c.unseenCounts[i] });
    });
    return {
      ...c,
      ...pooled(c.counts, c.other),
      unseen: scalar(c.unseen),
      missing: scalar(c.missing),
      unseenNames: named.map((u) => u.name),
      unseenCounts: named.map((u) => u.n),
    };
  };
  const h = window.health;
  return {
    window: {
      ...window,
      ...(window.categories ? { categories: Object.fromEntries(Object.entries(window.categories).map(([n, c]) => [n, category(c)])) } : {}),
      // one row's error is one event's: min and max withheld as for features
      ...(window.reconstruction ? { reconstruction: { ...window.reconstruction, min: window.reconstruction.mean, max: window.reconstruction.mean } } : {}),
      features: features(window.features),
      outputs,
      quality,
      health: {
        ...h,
        latencyMs: dd(h.latencyMs),
        backends: record(h.backends),
        nanPredictions: scalar(h.nanPredictions),
        invalidRecords: scalar(h.invalidRecords),
        invalidByField: record(h.invalidByField),
        repairedByInput: record(h.repairedByInput),
      },
    },
    suppression: { k, suppressedBuckets: suppressed },
  };
}
