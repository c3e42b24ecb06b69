import { describe, expect, it } from 'vitest';
import { computeBaseline } from '../../../src/cli/baseline.ts';
import { EdgewatchError } from '../../../src/errors.ts';
import { DriftSummary } from '../../../src/monitor/summary/DriftSummary.ts';
import { normalTwoSided } from '../../../src/monitor/summary/compare.ts';
import { sketchLayout, WindowSketch, type WindowSketchJSON } from '../../../src/monitor/WindowSketch.ts';
import { seattleSlice } from '../drift/scipyFixture.ts';

const LABELS = ['drizzle', 'fog', 'rain', 'snow', 'sun'];

/** A one-feature "model" over temp_max whose output is the weather label seen that day (one-hot). */
function oneHot(labels: readonly string[]): Float32Array {
  const out = new Float32Array(labels.length * LABELS.length);
  labels.forEach((l, i) => {
    out[i * LABELS.length + LABELS.indexOf(l)] = 1;
  });
  return out;
}

function baselineOf(slice: string) {
  const temp = seattleSlice('tempMax', slice);
  const weather = seattleSlice('weather', slice);
  return computeBaseline({
    columns: ['temp_max'],
    features: Float32Array.from(temp),
    rows: temp.length,
    outputs: { kind: 'classification', labels: LABELS },
    scores: oneHot(weather),
    source: `seattle ${slice}`,
  });
}

function windowOf(baseline: ReturnType<typeof baselineOf>, temp: readonly number[], weather: readonly string[], start = 0): WindowSketchJSON {
  const w = new WindowSketch(sketchLayout(['temp_max'], { kind: 'classification', labels: LABELS }, baseline), 'weather', '1', start, start + 3_600_000);
  w.observe(Float32Array.from(temp), oneHot(weather), temp.length);
  return w.toJSON();
}

describe('DriftSummary on real seattle-weather', () => {
  it('alarms on temp_max Jan–Jun (baseline) vs Jul–Dec, and not on 2012 vs 2013', () => {
    for (const [reference, current, drift] of [
      ['jan-jun', 'jul-dec', true],
      ['y2012', 'y2013', false],
    ] as const) {
      const baseline = baselineOf(reference);
      const summary = DriftSummary.summarize(windowOf(baseline, seattleSlice('tempMax', current), seattleSlice('weather', current)), baseline);
      const temp = summary.report?.features.find((f) => f.name === 'temp_max');
      expect(temp?.statistic).toBe('ks');
      expect(temp?.verdict, `${reference} vs ${current}`).toBe(drift ? 'drift' : 'no-drift');
      // naive decile PSI would false-alarm on 2012 vs 2013 (≈ 0.15 > 0.1); it is reported, not the verdict
      if (!drift) expect(temp?.psi).toBeGreaterThan(0.1);
    }
  });

  it('withholds a verdict below the minimum sample size', () => {
    const baseline = baselineOf('y2012');
    const summary = DriftSummary.summarize(
      windowOf(baseline, seattleSlice('tempMax', 'y2013').slice(0, 20), seattleSlice('weather', 'y2013').slice(0, 20)),
      baseline,
    );
    expect(summary.report?.features[0].verdict).toBe('insufficient-data');
  });

  it('merge across windows and devices equals the summary of one big window', () => {
    const baseline = baselineOf('jan-jun');
    const temp = seattleSlice('tempMax', 'jul-dec');
    const weather = seattleSlice('weather', 'jul-dec');
    const big = DriftSummary.summarize(windowOf(baseline, temp, weather, 0), baseline);
    // three "devices", two of them reporting the same hour, one the next hour
    const cuts = [0, 150, 290, temp.length];
    const parts = [0, 1, 2].map((i) =>
      DriftSummary.summarize(windowOf(baseline, temp.slice(cuts[i], cuts[i + 1]), weather.slice(cuts[i], cuts[i + 1]), i === 2 ? 3_600_000 : 0), baseline),
    );
    const merged = DriftSummary.merge(parts, baseline);
    // Everything but floating-point moments is identical; moments agree to rounding.
    const strip = (s: DriftSummary) =>
      JSON.parse(JSON.stringify(s, (key, value) => (key === 'moments' || key === 'mean' || key === 'start' || key === 'end' ? undefined : value)));
    expect(strip(merged)).toEqual(strip(big));
    expect(merged.window.features.temp_max.moments.mean).toBeCloseTo(big.window.features.temp_max.moments.mean, 10);
    expect(merged.window.features.temp_max.moments.m2 / big.window.features.temp_max.moments.m2).toBeCloseTo(1, 10);
    expect(merged.predictions).toBe(temp.length);
    expect(merged.end - merged.start).toBe(2 * 3_600_000);
    // and merging the JSON of JSON (what a fleet collector receives) changes nothing
    expect(strip(DriftSummary.merge(parts.map(DriftSummary.toJSON), baseline))).toEqual(strip(big));
  });

  it('reads concept drift from the combined detector verdict, not from any one detector', () => {
    const baseline = baselineOf('y2012');
    const w = new WindowSketch(sketchLayout(['temp_max'], { kind: 'classification', labels: LABELS }, baseline), 'weather', '1', 0, 3_600_000);
    w.quality.addDetection('ddm');
    w.quality.addDetection('ddm');
    const lone = DriftSummary.summarize(w.toJSON(), baseline).report?.quality;
    expect(lone?.detections).toEqual({ ddm: 2 });
    expect(lone?.conceptDrift).toBe(false);
    w.quality.addDetection('adwin');
    w.quality.addDetection('concept');
    expect(DriftSummary.summarize(w.toJSON(), baseline).report?.quality.conceptDrift).toBe(true);
  });

  it("judges the window's missing share against the baseline's: half NaN is drift, one NaN is not", () => {
    const baseline = baselineOf('y2012');
    const temp = seattleSlice('tempMax', 'y2013');
    const weather = seattleSlice('weather', 'y2013');
    const report = (values: number[]) => DriftSummary.summarize(windowOf(baseline, values, weather.slice(0, values.length)), baseline).report;
    const one = report(temp.map((t, i) => (i === 100 ? Number.NaN : t)))?.features[0];
    expect(one?.missing).toBe(1);
    expect(one?.missingRate?.method).toBe('fisher');
    expect(one?.missingRate?.verdict).toBe('no-drift');
    expect(one?.verdict).toBe('no-drift');
    // the finite half still looks like 2012 (KS alone reads no drift); the NaN share does not
    const half = report(temp.map((t, i) => (i % 2 === 0 ? Number.NaN : t)));
    const f = half?.features[0];
    expect(f?.pValue).toBeGreaterThan(0.05);
    expect(f?.missingRate?.currentRate).toBeCloseTo(183 / 365, 12);
    expect(f?.missingRate?.referenceRate).toBe(0);
    expect(f?.missingRate?.verdict).toBe('drift');
    expect(f?.verdict).toBe('drift');
    expect(half?.driftedFeatures).toEqual(['temp_max']);
    // nothing finite left: no distribution to compare, still drift
    const none = report(temp.slice(0, 60).map(() => Number.POSITIVE_INFINITY))?.features[0];
    expect(none?.count).toBe(0);
    expect(none?.invalid).toBe(60);
    expect(none?.verdict).toBe('drift');
    // without any missing value there is no missing-rate test, and the report is as before
    expect(report(temp)?.features[0].missingRate).toBeUndefined();
  });

  it('refuses to merge different model versions', () => {
    const baseline = baselineOf('y2012');
    const a = DriftSummary.summarize(windowOf(baseline, [1, 2], ['sun', 'rain']));
    const b = { ...a, window: { ...a.window, version: '2' } };
    expect(() => DriftSummary.merge([a, b])).toThrow(EdgewatchError);
  });
});

describe('normalTwoSided', () => {
  it('matches the standard normal two-sided tail', () => {
    // scipy.stats.norm.sf(z) * 2
    expect(normalTwoSided(0)).toBeCloseTo(1, 12);
    expect(normalTwoSided(1.959963984540054)).toBeCloseTo(0.05, 10);
    expect(normalTwoSided(-3)).toBeCloseTo(0.0026997960632601866, 12);
    expect(normalTwoSided(6) / 1.973175290075658e-9).toBeCloseTo(1, 8);
  });
});
