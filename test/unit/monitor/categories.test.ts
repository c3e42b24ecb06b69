import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeBaseline } from '../../../src/cli/baseline.ts';
import { categoricalInputs } from '../../../src/features/categoricalInputs.ts';
import type { FeatureSpec } from '../../../src/features/FeatureSpec.ts';
import { packRecords } from '../../../src/features/RecordBatch.ts';
import { detectDrift, DriftVerdict } from '../../../src/monitor/drift/detectDrift.ts';
import { DriftKind } from '../../../src/monitor/drift/DriftStatistic.ts';
import { ModelMonitor, type MonitoredVersion } from '../../../src/monitor/ModelMonitor.ts';
import { CategorySketch, MAX_UNSEEN_NAMES } from '../../../src/monitor/sketches/CategorySketch.ts';
import { packWindow, unpackWindow } from '../../../src/monitor/store/packWindow.ts';
import { categoryDrift } from '../../../src/monitor/summary/categoryDrift.ts';
import { compare } from '../../../src/monitor/summary/compare.ts';
import { mergeWindows, sketchLayout, WindowSketch } from '../../../src/monitor/WindowSketch.ts';
import { penguins } from '../../support/realColumns.ts';

const flights = JSON.parse(readFileSync(new URL('../../../node_modules/vega-datasets/data/flights-10k.json', import.meta.url), 'utf8')) as {
  date: string;
  origin: string;
}[];
const hour = (f: { date: string }) => Number(f.date.slice(11, 13));
const opts = { minSampleSize: 50, smallSampleSize: 1000 };

/** A window's category sketch of `values` over the baseline's vocabulary (what the device keeps). */
function windowOf(baseline: CategorySketch, values: readonly unknown[]): CategorySketch {
  const w = new CategorySketch({ categories: baseline.categories, rare: baseline.rare });
  for (const v of values) w.add(v);
  return w;
}

describe('CategorySketch: bounded category counts', () => {
  it('keeps the top categories, the rest as "other" by name, unseen values by name (bounded), missing ones', () => {
    const values = ['a', 'a', 'a', 'b', 'b', 'c', 'd', null, undefined, 7, true];
    const base = CategorySketch.fromValues(values, 2);
    expect(base.toJSON({ rare: true })).toEqual({
      categories: ['a', 'b'],
      counts: [3, 2],
      // c, d, "7", "true" once each, in name order
      other: 4,
      unseen: 0,
      unseenNames: [],
      unseenCounts: [],
      missing: 2,
      rare: ['7', 'c', 'd', 'true'],
    });
    const w = windowOf(base, ['a', 'c', 'zz', 'zz', 'yy', {}, Number.NaN, 7]);
    expect(w.toJSON()).toMatchObject({ counts: [1, 0], other: 2, unseen: 3, unseenNames: ['zz', 'yy'], unseenCounts: [2, 1], missing: 2 });
    // a flood of distinct unseen values: all counted, only the first few named
    const flood = windowOf(
      base,
      Array.from({ length: 100 }, (_, i) => `new${i}`),
    );
    expect(flood.unseen).toBe(100);
    expect(flood.toJSON().unseenNames).toHaveLength(MAX_UNSEEN_NAMES);
    // a long hostile name is cut
    expect(windowOf(base, ['x'.repeat(10_000)]).toJSON().unseenNames[0]).toHaveLength(64);
  });

  it('merges exactly (totals) and survives the storage codec; a row from before categories merges in either order', () => {
    const layout = sketchLayout(['x'], { kind: 'regression', names: [] }, undefined, { categories: [{ name: 'origin', vocabulary: ['SEA', 'LAX'] }] });
    const fresh = new WindowSketch(layout, 'm', '1', 0, 10);
    fresh.observe(Float32Array.of(1, 2), Float32Array.of(0, 0), 2);
    fresh.sketchCategories([['SEA', 'ORD']], 2);
    const oldRow = new WindowSketch(sketchLayout(['x'], { kind: 'regression', names: [] }), 'm', '1', 0, 10);
    oldRow.observe(Float32Array.of(3), Float32Array.of(0), 1);
    const stored = unpackWindow(packWindow(fresh.toJSON()));
    expect(stored.categories?.origin).toEqual(fresh.toJSON().categories?.origin);
    expect(unpackWindow(packWindow(oldRow.toJSON())).categories).toBeUndefined();
    for (const merged of [mergeWindows([oldRow.toJSON(), stored]), mergeWindows([stored, oldRow.toJSON()])]) {
      expect(merged.predictions).toBe(3);
      expect(merged.categories?.origin).toMatchObject({ categories: ['SEA', 'LAX'], counts: [1, 0], unseen: 1, unseenNames: ['ORD'] });
    }
    const twice = mergeWindows([stored, stored]);
    expect(twice.categories?.origin).toMatchObject({ counts: [2, 0], unseen: 2, unseenCounts: [2] });
  });

  it('categoricalInputs: the category and boolean inputs features read, with the vocabulary the spec knows', () => {
    const spec: FeatureSpec = {
      schema: 'edgewatch.features/v1',
      inputs: [
        { name: 'origin', type: 'category' },
        { name: 'cabin', type: 'category', values: ['eco', 'biz'] },
        { name: 'member', type: 'boolean' },
        { name: 'unused', type: 'category' },
        { name: 'distance', type: 'number' },
        { name: 'device', type: 'category' },
      ],
      features: [
        { name: 'origin', input: 'origin', steps: [{ op: 'oneHot', vocabulary: ['SEA', 'LAX'], oov: true }] },
        { name: 'cabin', input: 'cabin', steps: [{ op: 'hash', buckets: 4 }] },
        { name: 'member', input: 'member', steps: [] },
        { name: 'distance', input: 'distance', steps: [] },
        { name: 'pair', input: 'origin', steps: [{ op: 'cross', with: 'device', buckets: 8 }] },
      ],
    };
    expect(categoricalInputs(spec)).toEqual([
      { name: 'origin', type: 'category', vocabulary: ['SEA', 'LAX'] },
      { name: 'cabin', type: 'category', vocabulary: ['eco', 'biz'] },
      { name: 'member', type: 'boolean', vocabulary: ['false', 'true'] },
      { name: 'device', type: 'category' },
    ]);
  });
});

describe('categorical drift from sketches = from exact samples', () => {
  it("flights' origin, morning vs evening departures (flights-10k): Jensen–Shannon from sketches and from the exact samples both say drift", () => {
    const morning = flights.filter((f) => hour(f) < 12).map((f) => f.origin);
    const evening = flights.filter((f) => hour(f) >= 17).map((f) => f.origin);
    const base = CategorySketch.fromValues(morning);
    const sketched = categoryDrift('origin', windowOf(base, evening).toJSON(), base.toJSON({ rare: true }), opts);
    const [exact] = detectDrift([{ name: 'origin', kind: DriftKind.CATEGORICAL, reference: morning, current: evening }]);
    expect(exact.statistic).toBe('jensenshannon');
    expect(exact.verdict).toBe(DriftVerdict.DRIFT);
    expect(sketched.drift.statistic).toBe('jensenshannon');
    // 64 top categories + other + unseen: lumping the long tail lowers JS (0.16 exact), still past 0.1
    expect(sketched.drift.value).toBeGreaterThan(0.1);
    expect(sketched.drift.value).toBeLessThan(exact.value as number);
    // the same three months in two halves (even and odd rows, 5,000 each): no drift from sketches
    const even = flights.filter((_, i) => i % 2 === 0).map((f) => f.origin);
    const odd = flights.filter((_, i) => i % 2 === 1).map((f) => f.origin);
    const half = CategorySketch.fromValues(even);
    expect(categoryDrift('origin', windowOf(half, odd).toJSON(), half.toJSON({ rare: true }), opts).drift.value).toBeLessThan(0.1);
    // (with half as many values, 1,950 mornings against 1,950, JS over ~150 sparse airports reads ~0.13 on
    // noise alone: Evidently's fixed 0.1 assumes larger windows)
  });

  it("penguins' Island (small baseline): the sketch χ² is scipy's chi2_contingency on the exact samples, value and p-value", () => {
    const adelie = penguins.filter((p) => p.Species === 'Adelie').map((p) => p.Island);
    const others = penguins.filter((p) => p.Species !== 'Adelie').map((p) => p.Island);
    const base = CategorySketch.fromValues(adelie);
    const sketched = categoryDrift('Island', windowOf(base, others).toJSON(), base.toJSON({ rare: true }), opts);
    const [exact] = detectDrift([{ name: 'Island', kind: DriftKind.CATEGORICAL, reference: adelie, current: others }]);
    expect(sketched.drift.statistic).toBe('chisquare');
    expect(exact.statistic).toBe('chisquare');
    expect(sketched.drift.value).toBeCloseTo(exact.value as number, 10);
    expect(sketched.drift.pValue).toBeCloseTo(exact.pValue as number, 12);
    expect(sketched.drift.pValue).toBeLessThan(0.05);
  });

  it('a binary input (small baseline): the two-proportion z-test, as on exact samples', () => {
    const sex = penguins.map((p) => p.Sex).filter((s) => s === 'MALE' || s === 'FEMALE');
    const reference = sex.slice(0, 150);
    // a current window with 70 % MALE
    const current = [...Array(70).fill('MALE'), ...Array(30).fill('FEMALE')];
    const base = CategorySketch.fromValues(reference);
    const sketched = categoryDrift('Sex', windowOf(base, current).toJSON(), base.toJSON({ rare: true }), opts);
    const [exact] = detectDrift([{ name: 'Sex', kind: DriftKind.CATEGORICAL, reference, current }]);
    expect(exact.statistic).toBe('z');
    expect(sketched.drift.statistic).toBe('z');
    expect(Math.abs(sketched.drift.value as number)).toBeCloseTo(Math.abs(exact.value as number), 10);
    expect(sketched.drift.pValue).toBeCloseTo(exact.pValue as number, 12);
  });
});

describe('categorical inputs on the device: records → window → compare', () => {
  const spec: FeatureSpec = {
    schema: 'edgewatch.features/v1',
    inputs: [{ name: 'origin', type: 'category', onInvalid: 'impute' }],
    features: [{ name: 'origin', input: 'origin', steps: [{ op: 'oneHot', vocabulary: ['SEA', 'LAX', 'ORD'], oov: true }] }],
  };
  const columns = ['origin=SEA', 'origin=LAX', 'origin=ORD', 'origin=<oov>'];
  const train = [...Array(300).fill('SEA'), ...Array(200).fill('LAX'), ...Array(100).fill('ORD')];
  const oneHot = (values: readonly string[]) => Float32Array.from(values.flatMap((o) => columns.map((c) => (c === `origin=${o}` ? 1 : 0))));
  const baseline = computeBaseline({
    columns,
    features: oneHot(train),
    rows: train.length,
    outputs: { kind: 'regression', names: [] },
    scores: new Float32Array(train.length),
    categories: categoricalInputs(spec).map((c) => ({ name: c.name, values: train })),
  });

  it('the worker hook reads the raw categories of the sketched rows (packed or not); unseen ones are reported by name and share', () => {
    const v: MonitoredVersion = {
      model: 'm',
      version: '1',
      layout: sketchLayout(columns, { kind: 'regression', names: [] }, baseline, { categories: categoricalInputs(spec) }),
    };
    const monitor = new ModelMonitor((async () => {}) as never, { budget: { share: Infinity } });
    const batch = (origins: readonly string[], packed: boolean) => {
      const records = origins.map((origin) => ({ origin }));
      const observation = monitor.beginBatch(
        v,
        { width: 4, issues: 0, takeStats: () => ({ rows: 0, inputs: {}, oov: {} }) },
        packed ? packRecords(records) : records,
      );
      observation.onFeatures(oneHot(origins), origins.length);
      const t = performance.now();
      observation.answered({
        seq: 0,
        rows: origins.length,
        scores: new Float32Array(origins.length),
        outputWidth: 1,
        classes: undefined,
        backend: 'cpu',
        startedAt: t,
        inferredAt: t,
      });
    };
    batch([...Array(30).fill('SEA'), ...Array(20).fill('LAX')], true);
    batch([...Array(10).fill('ORD'), ...Array(40).fill('JFK')], false);
    monitor.runPending();
    const window = monitor.window(v).toJSON();
    expect(window.categories?.origin).toMatchObject({ categories: ['SEA', 'LAX', 'ORD'], counts: [30, 20, 10], unseen: 40, unseenNames: ['JFK'] });
    const report = compare(window, baseline);
    const origin = report.categories?.find((c) => c.name === 'origin');
    expect(origin?.statistic).toBe('chisquare');
    expect(origin?.verdict).toBe(DriftVerdict.DRIFT);
    expect(origin?.unseen).toEqual({ count: 40, share: 0.4, names: [{ name: 'JFK', count: 40, share: 0.4 }] });
    expect(report.driftedFeatures).toContain('origin');
    expect(report.drift).toBe(true);
  });

  it('a window like training: no categorical drift', () => {
    const w = new WindowSketch(sketchLayout(columns, { kind: 'regression', names: [] }, baseline, { categories: categoricalInputs(spec) }), 'm', '1', 0, 1);
    const like = [...Array(90).fill('SEA'), ...Array(60).fill('LAX'), ...Array(30).fill('ORD')];
    w.observe(oneHot(like), new Float32Array(like.length), like.length);
    w.sketchCategories([like], like.length);
    const origin = compare(w.toJSON(), baseline).categories?.[0];
    expect(origin?.verdict).toBe(DriftVerdict.NO_DRIFT);
    expect(origin?.pValue).toBeGreaterThan(0.5);
  });
});
