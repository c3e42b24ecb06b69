import { describe, expect, it } from 'vitest';
import { computeBaseline } from '../../../src/cli/baseline.ts';
import { overallVerdict } from '../../../src/components/overallVerdict.ts';
import { isEdgewatchError } from '../../../src/errors.ts';
import { DriftVerdict } from '../../../src/monitor/drift/detectDrift.ts';
import { compare } from '../../../src/monitor/summary/compare.ts';
import type { DriftReport } from '../../../src/monitor/summary/DriftReport.ts';
import { bucketWindows, driftSeries } from '../../../src/monitor/summary/driftSeries.ts';
import { sketchLayout, WindowSketch, type WindowSketchJSON } from '../../../src/monitor/WindowSketch.ts';
import { seattleSlice } from '../drift/scipyFixture.ts';

const LABELS = ['drizzle', 'fog', 'rain', 'snow', 'sun'];
const HOUR = 3_600_000;

function oneHot(labels: readonly string[]): Float32Array {
  const out = new Float32Array(labels.length * LABELS.length);
  labels.forEach((l, i) => {
    out[i * LABELS.length + LABELS.indexOf(l)] = 1;
  });
  return out;
}

const baseline = (() => {
  const temp = seattleSlice('tempMax', 'jan-jun');
  return computeBaseline({
    columns: ['temp_max'],
    features: Float32Array.from(temp),
    rows: temp.length,
    outputs: { kind: 'classification', labels: LABELS },
    scores: oneHot(seattleSlice('weather', 'jan-jun')),
    source: 'seattle jan-jun',
  });
})();

function windowOf(slice: string, start: number, rows?: number): WindowSketchJSON {
  const temp = seattleSlice('tempMax', slice).slice(0, rows);
  const weather = seattleSlice('weather', slice).slice(0, rows);
  const w = new WindowSketch(sketchLayout(['temp_max'], { kind: 'classification', labels: LABELS }, baseline), 'weather', '1', start, start + HOUR);
  w.observe(Float32Array.from(temp), oneHot(weather), temp.length);
  return w.toJSON();
}

describe('driftSeries', () => {
  it('merges windows per bucket of their start, oldest first, and judges each bucket against the baseline', () => {
    const t0 = 1_700_000_000_000 - (1_700_000_000_000 % (24 * HOUR));
    const janJun = seattleSlice('tempMax', 'jan-jun').length;
    const julDec = seattleSlice('tempMax', 'jul-dec').length;
    // Out of order on purpose; two in the same hour (two tabs' rows, or a stored row and the one in memory).
    const windows = [windowOf('jul-dec', t0 + 2 * HOUR), windowOf('jan-jun', t0, 100), windowOf('jan-jun', t0)];
    const hourly = bucketWindows(windows, HOUR);
    expect(hourly.map((w) => [w.start, w.predictions])).toEqual([
      [t0, 100 + janJun],
      [t0 + 2 * HOUR, julDec],
    ]);
    expect(bucketWindows(windows, 24 * HOUR).map((w) => w.predictions)).toEqual([100 + janJun + julDec]);

    const series = driftSeries(hourly, HOUR, baseline);
    expect(series?.points.map((p) => [p.start, p.end, p.predictions])).toEqual([
      [t0, t0 + HOUR, 100 + janJun],
      [t0 + 2 * HOUR, t0 + 3 * HOUR, julDec],
    ]);
    // Jan–Jun is the baseline's own half; Jul–Dec's temp_max is warmer (as in summary.test.ts).
    expect(series?.points[0].drift?.driftedFeatures).toEqual([]);
    expect(series?.points[1].drift?.driftedFeatures).toEqual(['temp_max']);
    expect(series?.points[1].drift?.minPValue).toBeLessThan(0.05);
    expect(series?.points[1].quality).toEqual({ labelled: 0 });
    expect(driftSeries([], HOUR, baseline)).toBeUndefined();
  });

  it('refuses a bucket that is not a positive number of ms', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      let thrown: unknown;
      try {
        bucketWindows([], bad);
      } catch (error) {
        thrown = error;
      }
      expect(isEdgewatchError(thrown) && thrown.code === 'INPUT_INVALID' && thrown.details.field === 'bucketMs').toBe(true);
    }
  });
});

describe('overallVerdict', () => {
  const look = { ms: 24 * HOUR, words: 'the last 24 hours' };
  const calm = compare(windowOf('jan-jun', 0), baseline);
  const classesShifted = {
    ...calm.prediction,
    classes: { ...(calm.prediction as { classes: DriftReport['quality']['labelDrift'] }).classes, verdict: DriftVerdict.DRIFT },
  };

  it('"No drift" only when nothing drifted; otherwise it opens with the drift', () => {
    expect(calm.drift).toBe(false);
    expect(overallVerdict(calm, 181, look)).toBe('No drift in the last 24 hours');
    const predictionsOnly = { ...calm, prediction: classesShifted, drift: true } as DriftReport;
    expect(overallVerdict(predictionsOnly, 181, look)).toBe('Drift in the last 24 hours: the predicted classes shifted; no feature drifted');
    const conceptOnly = { ...calm, quality: { ...calm.quality, conceptDrift: true }, drift: true } as DriftReport;
    expect(overallVerdict(conceptOnly, 181, look)).toBe('Drift in the last 24 hours: label feedback shows concept drift; no feature drifted');
    const confidenceOnly = {
      ...calm,
      prediction: { ...calm.prediction, confidence: { ...(calm.prediction as { confidence: object }).confidence, verdict: DriftVerdict.DRIFT } },
      drift: true,
    } as DriftReport;
    expect(overallVerdict(confidenceOnly, 181, look)).toBe("Drift in the last 24 hours: the model's confidence shifted; no feature drifted");
    const drifted = compare(windowOf('jul-dec', 0), baseline);
    expect(overallVerdict(drifted, 184, look)).toMatch(/^1 of 1 features drifted: temp_max/);
  });

  it('too few values on the features, but the predictions drifted: drift first, then why the features have no verdict', () => {
    const few = compare(windowOf('jan-jun', 0, 20), baseline);
    expect(overallVerdict(few, 20, look)).toBe('Not enough data in the last 24 hours to judge drift yet: 20 values per feature, 50 needed');
    const report = {
      ...few,
      prediction: { ...few.prediction, classes: { ...(few.prediction as { classes: object }).classes, verdict: DriftVerdict.DRIFT } },
      drift: true,
    } as DriftReport;
    expect(overallVerdict(report, 20, look)).toBe(
      'Drift in the last 24 hours: the predicted classes shifted; too few values to judge the features yet (20 values per feature, 50 needed)',
    );
  });
});
