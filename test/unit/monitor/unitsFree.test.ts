import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeBaseline } from '../../../src/cli/baseline.ts';
import { ksFromHistograms, wassersteinFromHistograms } from '../../../src/monitor/drift/histogramDistances.ts';
import { ksFromSketches } from '../../../src/monitor/drift/ksFromSketches.ts';
import { DriftVerdict } from '../../../src/monitor/drift/detectDrift.ts';
import { BinnedHistogram } from '../../../src/monitor/sketches/BinnedHistogram.ts';
import { DDSketch } from '../../../src/monitor/sketches/DDSketch.ts';
import { compare } from '../../../src/monitor/summary/compare.ts';
import { sketchLayout, WindowSketch } from '../../../src/monitor/WindowSketch.ts';
import { fixture, num } from '../drift/scipyFixture.ts';
import { cars, penguins } from '../../support/realColumns.ts';

const weather = readFileSync(new URL('../../../node_modules/vega-datasets/data/weather.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));
/** weather.csv column `c` (3 temp_max, 4 temp_min, 5 wind) of one city, optionally one year. */
const city = (name: string, c: number, year?: string) => weather.filter((r) => r[0] === name && (!year || r[1].startsWith(year))).map((r) => Number(r[c]));
const numbers = (rows: readonly Record<string, unknown>[], key: string) => rows.map((r) => r[key]).filter((x): x is number => typeof x === 'number');

const outputs = { kind: 'regression' as const, names: [] };
/** One feature's baseline (as the CLI builds it) and a window of `current` over its edges; the report's feature. */
function featureDrift(reference: readonly number[], current: readonly number[]) {
  const baseline = computeBaseline({ columns: ['x'], features: reference, rows: reference.length, outputs, scores: new Float32Array(reference.length) });
  const w = new WindowSketch(sketchLayout(['x'], outputs, baseline), 'm', '1', 0, 1);
  w.observe(Float64Array.from(current), new Float32Array(current.length), current.length);
  return compare(w.toJSON(), baseline).features[0];
}

function histogram(edges: readonly number[], values: ArrayLike<number>) {
  const h = new BinnedHistogram(edges);
  for (let i = 0; i < values.length; i++) h.add(values[i]);
  return h.toJSON();
}

describe('KS and Wasserstein on the baseline quantile-edge histogram', () => {
  for (const c of fixture.ks.filter((k) => Math.min(k.a.length, k.b.length) >= 100)) {
    it(`${c.name}: exact D within [statistic, statistic + errorBound] (scipy)`, () => {
      const edges = BinnedHistogram.edgesFromSorted(Float64Array.from(c.a.map(num)).sort(), 10);
      const r = ksFromHistograms(histogram(edges, c.a.map(num)), histogram(edges, c.b.map(num)));
      expect(r.statistic).toBeLessThanOrEqual(num(c.statistic) + 1e-12);
      expect(num(c.statistic)).toBeLessThanOrEqual(r.statistic + r.errorBound + 1e-12);
    });
  }
  for (const c of fixture.wasserstein) {
    it(`${c.name}: |distance − scipy| ≤ errorBound`, () => {
      const a = c.a.map(num);
      const b = c.b.map(num);
      const edges = BinnedHistogram.edgesFromSorted(Float64Array.from(a).sort(), 10);
      const r = wassersteinFromHistograms(histogram(edges, a), histogram(edges, b), Math.min(...a, ...b), Math.max(...a, ...b));
      expect(Math.abs(r.distance - num(c.distance))).toBeLessThanOrEqual(r.errorBound + 1e-9);
    });
  }

  it('the same Seattle temperatures in kelvin give the same verdict, p-value and distance as in celsius (DDSketch did not)', () => {
    for (const [c, years] of [
      [3, ['2012', '2013']],
      [4, ['2012', '2013']],
      [4, ['2013', '2015']],
    ] as const) {
      const ref = city('Seattle', c, years[0]);
      const cur = city('Seattle', c, years[1]);
      const celsius = featureDrift(ref, cur);
      const kelvin = featureDrift(
        ref.map((x) => x + 273.15),
        cur.map((x) => x + 273.15),
      );
      expect(kelvin.statistic).toBe('ks');
      expect(kelvin.verdict).toBe(celsius.verdict);
      expect(kelvin.pValue).toBe(celsius.pValue);
      expect(kelvin.ks).toBe(celsius.ks);
      expect(kelvin.wasserstein).toBeCloseTo(celsius.wasserstein as number, 9);
    }
    // what the relative-error buckets did: temp_max 2012 vs 2013, p 0.093 in celsius, 0.49 in kelvin
    const dd = (values: readonly number[]) => {
      const s = new DDSketch(0.01);
      for (const v of values) s.add(v);
      return s;
    };
    const ref = city('Seattle', 3, '2012');
    const cur = city('Seattle', 3, '2013');
    const inCelsius = ksFromSketches(dd(ref), dd(cur)).pValue;
    const inKelvin = ksFromSketches(dd(ref.map((x) => x + 273.15)), dd(cur.map((x) => x + 273.15))).pValue;
    expect(Math.abs(inKelvin - inCelsius)).toBeGreaterThan(0.1);
  });

  it("real shifts are still caught: weather.csv's two cities, cars by origin, penguins by species", () => {
    // 1,461 days a city: a large baseline, so the Wasserstein distance over its spread decides
    for (const c of [3, 4, 5]) {
      const f = featureDrift(city('Seattle', c), city('New York', c));
      expect(f.statistic).toBe('wasserstein');
      expect(f.verdict, `weather column ${c}`).toBe(DriftVerdict.DRIFT);
    }
    // one year a city: KS
    expect(featureDrift(city('Seattle', 4, '2012'), city('New York', 4, '2012'))).toMatchObject({ statistic: 'ks', verdict: DriftVerdict.DRIFT });
    const origin = (o: string) => cars.filter((r) => r.Origin === o);
    expect(featureDrift(numbers(origin('USA'), 'Horsepower'), numbers(origin('Japan'), 'Horsepower')).verdict).toBe(DriftVerdict.DRIFT);
    expect(featureDrift(numbers(origin('USA'), 'Weight_in_lbs'), numbers(origin('Europe'), 'Weight_in_lbs')).verdict).toBe(DriftVerdict.DRIFT);
    const species = (s: string) => penguins.filter((r) => r.Species === s);
    expect(featureDrift(numbers(species('Adelie'), 'Body Mass (g)'), numbers(species('Gentoo'), 'Body Mass (g)')).verdict).toBe(DriftVerdict.DRIFT);
    expect(featureDrift(numbers(species('Adelie'), 'Beak Length (mm)'), numbers(species('Chinstrap'), 'Beak Length (mm)')).verdict).toBe(DriftVerdict.DRIFT);
    // and one city's two ordinary years are not drift (exact KS p ≈ 0.093)
    expect(featureDrift(city('Seattle', 3, '2012'), city('Seattle', 3, '2013')).verdict).toBe(DriftVerdict.NO_DRIFT);
  });
});
