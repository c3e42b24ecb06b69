import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeBaseline } from '../../../src/cli/baseline.ts';
import { mulberry32 } from '../../../src/demo/random.ts';
import { DriftVerdict } from '../../../src/monitor/drift/detectDrift.ts';
import { distanceScale, referenceBand } from '../../../src/monitor/reference/ReferenceChunks.ts';
import { compare } from '../../../src/monitor/summary/compare.ts';
import { sketchLayout, WindowSketch } from '../../../src/monitor/WindowSketch.ts';

const weather = readFileSync(new URL('../../../node_modules/vega-datasets/data/weather.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));
const shuffled = <T>(rows: T[], seed: number): T[] => {
  const out = [...rows];
  const random = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};
const columns = ['temp_max', 'temp_min', 'wind'];
const cityRows = (name: string) => weather.filter((r) => r[0] === name).map((r) => [Number(r[3]), Number(r[4]), Number(r[5])]);
const regression = { kind: 'regression' as const, names: [] };

describe('thresholds from reference variability (NannyML-style chunks, mean ± 3σ)', () => {
  it('referenceBand: population σ, scaled by the factor; distanceScale as √(1/n₁ + 1/n₂)', () => {
    const band = referenceBand([1, 2, 3, 4], 1);
    const sd = Math.sqrt(1.25);
    expect(band).toEqual({ mean: 2.5, lower: 2.5 - 3 * sd, upper: 2.5 + 3 * sd });
    const half = referenceBand([1, 2, 3, 4], 0.5, true);
    expect(half?.mean).toBeCloseTo(1.25, 12);
    expect(half?.upper).toBeCloseTo(1.25 + 1.5 * sd, 12);
    // chunks of 100 of 1,000 against the other 900; a window of 400 against all 1,000
    expect(distanceScale(100, 1000, 400)).toBeCloseTo(Math.sqrt((1 / 400 + 1 / 1000) / (1 / 100 + 1 / 900)), 12);
  });

  it("Seattle's days as reference: chunk-sized windows of other Seattle days stay quiet, New York's drift", () => {
    const seattle = shuffled(cityRows('Seattle'), 3);
    const reference = seattle.slice(0, 900);
    const rest = seattle.slice(900);
    const newYork = shuffled(cityRows('New York'), 4);
    const baseline = computeBaseline({
      columns,
      features: reference.flat(),
      rows: reference.length,
      outputs: regression,
      scores: new Float32Array(reference.length),
    });
    expect(baseline.reference?.chunkSize).toBe(90);
    expect(baseline.reference?.features.temp_max).toHaveLength(10);
    const report = (rows: number[][]) => {
      const w = new WindowSketch(sketchLayout(columns, regression, baseline), 'm', '1', 0, 1);
      w.observe(rows.flat(), new Float32Array(rows.length), rows.length);
      return compare(w.toJSON(), baseline, { thresholds: 'reference' });
    };
    let falseAlarms = 0;
    let caught = 0;
    for (let c = 0; c < 6; c++) {
      const quiet = report(rest.slice(c * 90, (c + 1) * 90));
      falseAlarms += quiet.driftedFeatures.length;
      expect(quiet.features[0].reference).toBeDefined();
      if (report(newYork.slice(c * 90, (c + 1) * 90)).driftedFeatures.length > 0) caught++;
    }
    expect(falseAlarms).toBe(0);
    expect(caught).toBe(6);
    // the fixed thresholds are still the default
    const w = new WindowSketch(sketchLayout(columns, regression, baseline), 'm', '1', 0, 1);
    w.observe(rest.slice(0, 90).flat(), new Float32Array(90), 90);
    const fixed = compare(w.toJSON(), baseline).features[0];
    expect(fixed.threshold).toBe(0.05);
    expect(fixed.reference).toBeUndefined();
  });

  it('the label-free accuracy estimate is calibrated on the reference and alerts when it leaves the chunks’ band', () => {
    // an over-confident classifier: confidence p uniform in [0.5, top], right with probability p − 0.3
    const random = mulberry32(7);
    const rows = 2000;
    const make = (n: number, top: number) => {
      const scores: number[] = [];
      const labels: number[] = [];
      for (let r = 0; r < n; r++) {
        const p = 0.5 + (top - 0.5) * random();
        scores.push(p, 1 - p);
        labels.push(random() < p - 0.3 ? 0 : 1);
      }
      return { scores, labels };
    };
    const train = make(rows, 1);
    const outputs = { kind: 'classification' as const, labels: ['a', 'b'] };
    const baseline = computeBaseline({ columns: ['x'], features: new Float32Array(rows), rows, outputs, scores: train.scores, labels: train.labels });
    const estimate = (n: number, sure: number) => {
      const { scores } = make(n, sure);
      const w = new WindowSketch(sketchLayout(['x'], outputs, baseline), 'm', '1', 0, 1);
      w.observe(new Float32Array(n), scores, n);
      const p = compare(w.toJSON(), baseline).prediction;
      if (p.kind !== 'classification') throw new Error('classification expected');
      return p;
    };
    const same = estimate(200, 1);
    // the mean confidence says 0.75; the training rows say 0.45
    expect(same.expectedAccuracy).toBeCloseTo(0.75, 1);
    expect(same.estimatedAccuracy?.value).toBeGreaterThan(0.4);
    expect(same.estimatedAccuracy?.value).toBeLessThan(0.5);
    expect(same.estimatedAccuracy?.verdict).toBe(DriftVerdict.NO_DRIFT);
    // unsure predictions only (p ≤ 0.7, right ~30 %): the estimate falls outside the band
    const worse = estimate(200, 0.7);
    expect(worse.estimatedAccuracy?.value).toBeLessThan(0.36);
    expect(worse.estimatedAccuracy?.verdict).toBe(DriftVerdict.DRIFT);
  });
});
