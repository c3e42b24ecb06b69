import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeBaseline } from '../../../src/cli/baseline.ts';
import { mulberry32 } from '../../../src/demo/random.ts';
import { DriftVerdict } from '../../../src/monitor/drift/detectDrift.ts';
import { fitPcaReconstruction, symmetricEigen } from '../../../src/monitor/multivariate/fitPcaReconstruction.ts';
import { PcaReconstruction } from '../../../src/monitor/multivariate/PcaReconstruction.ts';
import { packWindow, unpackWindow } from '../../../src/monitor/store/packWindow.ts';
import { compare } from '../../../src/monitor/summary/compare.ts';
import { mergeWindows, sketchLayout, WindowSketch } from '../../../src/monitor/WindowSketch.ts';

const columns = ['precipitation', 'temp_max', 'temp_min', 'wind'];
/** Seattle's 1,461 days of weather.csv, four numeric columns, rows in a seeded random order. */
const seattle = (() => {
  const rows = readFileSync(new URL('../../../node_modules/vega-datasets/data/weather.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','))
    .filter((r) => r[0] === 'Seattle')
    .map((r) => [Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5])]);
  const random = mulberry32(15);
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  return rows;
})();
const outputs = { kind: 'regression' as const, names: [] };

function windowOf(baseline: ReturnType<typeof computeBaseline>, rows: readonly number[][]) {
  const w = new WindowSketch(sketchLayout(columns, outputs, baseline), 'm', '1', 0, 1);
  w.observe(Float64Array.from(rows.flat()), new Float32Array(rows.length), rows.length);
  return w.toJSON();
}

describe('PCA reconstruction (NannyML data reconstruction drift)', () => {
  it('symmetricEigen: eigenvalues descending with orthonormal eigenvectors', () => {
    const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 0, 1, 2, 0, 0, 0, 5), 3);
    expect(values[0]).toBeCloseTo(5, 12);
    expect(values[1]).toBeCloseTo(3, 12);
    expect(values[2]).toBeCloseTo(1, 12);
    expect(Math.abs(vectors[1][0])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vectors[1][0] * vectors[1][1]).toBeGreaterThan(0);
    expect(Math.abs(vectors[0][2])).toBeCloseTo(1, 12);
  });

  it('fits the fewest components past 65 % of the standardised variance; a row on the components reconstructs with no error', () => {
    const model = fitPcaReconstruction(Float64Array.from(seattle.flat()), seattle.length, columns);
    if (!model) throw new Error('expected a model');
    expect(model.explained).toBeGreaterThan(0.65);
    expect(model.components.length).toBeLessThan(columns.length);
    expect(model.chunks).toHaveLength(10);
    expect(model.chunkSize).toBe(146);
    const pca = new PcaReconstruction(model);
    // the training mean standardises to 0: nothing to reconstruct
    expect(pca.error(Float64Array.from(model.mean), 0, 4)).toBeCloseTo(0, 12);
    // mean + 2σ along the first component lies in the component space
    const onAxis = model.mean.map((m, j) => m + 2 * model.scale[j] * model.components[0][j]);
    expect(pca.error(Float64Array.from(onAxis), 0, 4)).toBeCloseTo(0, 10);
    // a NaN reads as the mean
    expect(pca.error(Float64Array.of(Number.NaN, ...model.mean.slice(1)), 0, 4)).toBeCloseTo(0, 12);
  });

  it('shuffling temp_min against the other columns alarms in the multivariate check only, in 5/5 chunks; unshuffled chunks stay quiet', () => {
    // the reference: 730 of the days (KS regime); the analysis: the other 731, in chunks of the reference's chunk size
    const reference = seattle.slice(0, 730);
    const analysis = seattle.slice(730);
    const baseline = computeBaseline({
      columns,
      features: Float64Array.from(reference.flat()),
      rows: reference.length,
      outputs,
      scores: new Float32Array(reference.length),
    });
    const random = mulberry32(99);
    const minima = analysis.map((r) => r[2]);
    for (let i = minima.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [minima[i], minima[j]] = [minima[j], minima[i]];
    }
    // each column's values unchanged, only temp_min's tie to temp_max (r ≈ 0.87) broken
    const shuffled = analysis.map((r, i) => [r[0], r[1], minima[i], r[3]]);
    const size = baseline.multivariate?.chunkSize as number;
    expect(size).toBe(73);
    let multivariateAlarms = 0;
    let univariateAlarms = 0;
    let quietChunks = 0;
    for (let c = 0; c < 5; c++) {
      const report = compare(windowOf(baseline, shuffled.slice(c * size, (c + 1) * size)), baseline);
      if (report.multivariate?.verdict === DriftVerdict.DRIFT) multivariateAlarms++;
      univariateAlarms += report.driftedFeatures.length;
      const plain = compare(windowOf(baseline, analysis.slice(c * size, (c + 1) * size)), baseline);
      if (plain.multivariate?.verdict === DriftVerdict.NO_DRIFT && plain.driftedFeatures.length === 0) quietChunks++;
    }
    expect(multivariateAlarms).toBe(5);
    expect(univariateAlarms).toBe(0);
    expect(quietChunks).toBe(5);
  });

  it('the window keeps the errors through the storage codec and merges; a malformed model is ignored, never thrown on', () => {
    const baseline = computeBaseline({
      columns,
      features: Float64Array.from(seattle.flat()),
      rows: seattle.length,
      outputs,
      scores: new Float32Array(seattle.length),
    });
    const a = windowOf(baseline, seattle.slice(0, 100));
    const b = windowOf(baseline, seattle.slice(100, 300));
    const merged = mergeWindows([unpackWindow(packWindow(a)), b]);
    expect(merged.reconstruction?.count).toBe(300);
    expect(merged.reconstruction?.mean).toBeCloseTo(((a.reconstruction?.mean as number) * 100 + (b.reconstruction?.mean as number) * 200) / 300, 10);
    const broken = { ...baseline, multivariate: { ...baseline.multivariate, components: [[1, 2]] } } as never;
    expect(sketchLayout(columns, outputs, broken).multivariate).toBeUndefined();
    expect(sketchLayout(['other', 'columns', 'than', 'fitted'], outputs, baseline).multivariate).toBeUndefined();
  });
});
