import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/demo/random.ts';
import { EdgewatchError } from '../../../src/errors.ts';
import { BinnedHistogram } from '../../../src/monitor/sketches/BinnedHistogram.ts';
import { CategoricalCounts } from '../../../src/monitor/sketches/CategoricalCounts.ts';
import { DDSketch, quantileFrame } from '../../../src/monitor/sketches/DDSketch.ts';
import { FeatureSketch } from '../../../src/monitor/sketches/FeatureSketch.ts';
import { Moments } from '../../../src/monitor/sketches/Moments.ts';

/** Seeded standard normal (Box–Muller). */
function normals(n: number, seed: number, mean = 0, sd = 1): Float64Array {
  const random = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - random();
    out[i] = mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  }
  return out;
}

describe('DDSketch', () => {
  it('returns every quantile within the relative accuracy of the true order statistic', () => {
    for (const [name, data] of [
      ['normal with negatives', normals(20_000, 1, 0.5, 3)],
      ['lognormal', normals(20_000, 2).map(Math.exp)],
      ['with exact zeros', Float64Array.from(normals(5000, 3), (x, i) => (i % 7 === 0 ? 0 : x))],
    ] as const) {
      const sketch = new DDSketch(0.01);
      for (const x of data) sketch.add(x);
      const sorted = Float64Array.from(data).sort();
      for (const q of [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1]) {
        const exact = sorted[Math.floor(q * (sorted.length - 1))];
        const got = sketch.quantile(q);
        expect(Math.abs(got - exact), `${name} q=${q}`).toBeLessThanOrEqual(0.01 * Math.abs(exact) + 1e-12);
      }
    }
  });

  it('merges exactly: the merge of two sketches equals the sketch of the union', () => {
    const a = normals(3000, 4, -1, 2);
    const b = normals(5000, 5, 2, 0.5);
    const sa = new DDSketch();
    const sb = new DDSketch();
    const all = new DDSketch();
    for (const x of a) {
      sa.add(x);
      all.add(x);
    }
    for (const x of b) {
      sb.add(x);
      all.add(x);
    }
    expect(sa.merge(sb).toJSON()).toEqual(all.toJSON());
  });

  it('round-trips through JSON and structured clone', () => {
    const s = new DDSketch(0.02);
    for (const x of normals(1000, 6)) s.add(x);
    const json = JSON.parse(JSON.stringify(s.toJSON()));
    expect(DDSketch.fromJSON(json).toJSON()).toEqual(s.toJSON());
    expect(DDSketch.fromJSON(structuredClone(s.toJSON())).quantile(0.5)).toBe(s.quantile(0.5));
  });

  it('stays within maxBuckets per sign, coarsening only the smallest magnitudes', () => {
    const s = new DDSketch(0.01, 64);
    let top = 0;
    for (let k = -3000; k <= 3000; k++) {
      top = 10 ** (k / 100);
      s.add(top);
    }
    const json = s.toJSON();
    expect(json.positive.counts.length).toBeLessThanOrEqual(64);
    expect(json.count).toBe(6001);
    expect(Math.abs(s.quantile(1) - top) / top).toBeLessThanOrEqual(0.01);
  });

  it('framed by a baseline, serialises the same buckets for 100 values as for 100,000 of the same data', () => {
    const baseline = new DDSketch();
    for (const x of normals(2000, 7)) baseline.add(x);
    const frame = quantileFrame(baseline.toJSON());
    const sketchOf = (values: Float64Array) => {
      const s = new DDSketch().frame(frame);
      for (const x of values) s.add(x);
      return s;
    };
    const few = sketchOf(normals(100, 8));
    const many = sketchOf(normals(100_000, 9));
    const shape = (s: DDSketch) => {
      const { positive, negative } = s.toJSON();
      return [positive.offset, positive.counts.length, negative.offset, negative.counts.length];
    };
    // without a frame, 100,000 values reach buckets that 100 never do
    const bare = (values: Float64Array) =>
      values.reduce((s, x) => {
        s.add(x);
        return s;
      }, new DDSketch());
    expect(shape(bare(normals(100_000, 9)))).not.toEqual(shape(bare(normals(100, 8))));
    expect(shape(many)).toEqual(shape(few));
    expect(many.count).toBe(100_000);
    // the frame survives a JSON round trip and a merge (rows are merged on every flush and roll-up)
    const merged = DDSketch.fromJSON(JSON.parse(JSON.stringify(few.toJSON()))).merge(many);
    expect(shape(merged)).toEqual(shape(few));
    expect(merged.count).toBe(100_100);
    // quantiles keep relative accuracy above the floor: the baseline's smallest magnitude
    const sorted = normals(100_000, 9).sort();
    for (const q of [0.01, 0.25, 0.75, 0.99]) {
      const exact = sorted[Math.floor(q * (sorted.length - 1))];
      expect(Math.abs(many.quantile(q) - exact)).toBeLessThanOrEqual(0.01 * Math.abs(exact) + 1e-12);
    }
    // values beyond twice the baseline's largest magnitude (the default headroom) still get their own bucket
    const wide = new DDSketch().frame(frame);
    wide.add(1000);
    expect(wide.quantile(1)).toBeCloseTo(1000, -1);
    expect(wide.toJSON().positive.counts.length).toBeGreaterThan(few.toJSON().positive.counts.length);
  });

  it("counts magnitudes below the frame's floor in the floor bucket, within the floor's edge absolutely", () => {
    const s = new DDSketch().frame({ floor: s0(), positive: [s0(), s0() + 10] });
    function s0() {
      return new DDSketch().index(0.5);
    }
    s.add(1e-6);
    s.add(0.5);
    expect(s.count).toBe(2);
    expect(s.toJSON().positive.offset).toBe(s0());
    expect(s.quantile(0)).toBeLessThanOrEqual(new DDSketch().upperEdge(s0()));
  });

  it('rejects NaN, mismatched accuracies and a bad accuracy with INPUT_INVALID', () => {
    expect(() => new DDSketch().add(Number.NaN)).toThrow(EdgewatchError);
    expect(() => new DDSketch(0.01).merge(new DDSketch(0.02))).toThrow(EdgewatchError);
    expect(() => new DDSketch(0)).toThrow(EdgewatchError);
  });
});

describe('Moments', () => {
  it('matches two-pass mean and population variance, and merges (Chan) to the union', () => {
    const a = normals(1000, 7, 1e6, 1); // a large offset: the naive Σx² formula loses every digit here
    const b = normals(700, 8, 1e6 + 3, 2);
    const ma = new Moments();
    const mb = new Moments();
    a.forEach((x) => {
      ma.add(x);
    });
    b.forEach((x) => {
      mb.add(x);
    });
    const all = [...a, ...b];
    const mean = all.reduce((s, x) => s + x, 0) / all.length;
    const variance = all.reduce((s, x) => s + (x - mean) ** 2, 0) / all.length;
    const merged = Moments.fromJSON(ma.toJSON()).merge(mb);
    expect(merged.count).toBe(1700);
    expect(merged.mean).toBeCloseTo(mean, 6);
    expect(merged.variance / variance).toBeCloseTo(1, 8);
    expect(merged.min).toBe(Math.min(...all));
    expect(merged.max).toBe(Math.max(...all));
  });
});

describe('BinnedHistogram', () => {
  it('takes edges at baseline quantiles and counts under/overflow apart', () => {
    const baseline = Float64Array.from({ length: 101 }, (_, i) => i).sort();
    const edges = BinnedHistogram.edgesFromSorted(baseline, 10);
    expect(edges).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    const h = new BinnedHistogram(edges);
    for (const x of [-1, 0, 9.99, 10, 99, 100, 100.5]) h.add(x);
    // underflow, [0,10) ×2, [10,20), …, [90,100] ×2, overflow
    expect(Array.from(h.counts)).toEqual([1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 2, 1]);
  });

  it('drops tied edges, handles a constant baseline, and refuses to merge different edges', () => {
    expect(BinnedHistogram.edgesFromSorted(Float64Array.of(0, 0, 0, 0, 1), 4)).toEqual([0, 1]);
    const constant = new BinnedHistogram(BinnedHistogram.edgesFromSorted(Float64Array.of(5, 5, 5)));
    for (const x of [4, 5, 5, 6]) constant.add(x);
    expect(Array.from(constant.counts)).toEqual([1, 2, 1]);
    expect(() => new BinnedHistogram([0, 1]).merge(new BinnedHistogram([0, 2]))).toThrow(EdgewatchError);
    expect(() => new BinnedHistogram([1, 0])).toThrow(EdgewatchError);
  });
});

describe('CategoricalCounts', () => {
  it('counts unknown values into "other" so the row never grows', () => {
    const c = new CategoricalCounts(['rain', 'sun']);
    for (const v of ['rain', 'sun', 'sun', 'hail', 'sleet']) c.add(v);
    c.addIndex(7);
    expect(c.toJSON()).toEqual({ categories: ['rain', 'sun'], counts: [1, 2], other: 3 });
    expect(CategoricalCounts.fromJSON(c.toJSON()).merge(c).total).toBe(12);
    expect(() => c.merge(new CategoricalCounts(['sun', 'rain']))).toThrow(EdgewatchError);
  });
});

describe('FeatureSketch', () => {
  it('counts NaN as missing and ±Infinity as invalid without touching the sketches', () => {
    const s = new FeatureSketch({ edges: [0, 1, 2] });
    for (const x of [0.5, Number.NaN, Number.POSITIVE_INFINITY, 1.5, Number.NEGATIVE_INFINITY, Number.NaN]) s.add(x);
    const json = s.toJSON();
    expect(json).toMatchObject({ count: 2, missing: 2, invalid: 2 });
    expect(json.moments.mean).toBe(1);
    expect(json.quantiles.count).toBe(2);
    expect(json.histogram.counts).toEqual([0, 1, 1, 0]);
  });

  it('reads a column out of a row-major batch and merges to the sketch of the union', () => {
    const batch = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i));
    const a = new FeatureSketch({ edges: [-1, 0, 1] });
    a.addColumn(batch.subarray(0, 150), 50, 3, 1);
    const b = new FeatureSketch({ edges: [-1, 0, 1] });
    b.addColumn(batch.subarray(150), 50, 3, 1);
    const all = new FeatureSketch({ edges: [-1, 0, 1] });
    all.addColumn(batch, 100, 3, 1);
    const merged = FeatureSketch.fromJSON(a.toJSON()).merge(b).toJSON();
    const expected = all.toJSON();
    expect({ ...merged, moments: undefined }).toEqual({ ...expected, moments: undefined });
    expect(merged.moments.mean).toBeCloseTo(expected.moments.mean, 12);
  });
});
