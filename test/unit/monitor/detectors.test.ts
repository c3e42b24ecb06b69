import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/demo/random.ts';
import { ADWIN } from '../../../src/monitor/detectors/ADWIN.ts';
import { DDM } from '../../../src/monitor/detectors/DDM.ts';
import type { DriftDetector } from '../../../src/monitor/detectors/DriftDetector.ts';
import { PageHinkley } from '../../../src/monitor/detectors/PageHinkley.ts';
import { qualityMetrics } from '../../../src/monitor/quality/qualityMetrics.ts';
import { QualitySketch } from '../../../src/monitor/quality/QualitySketch.ts';

/** Indices at which the detector fired. */
function detections(detector: DriftDetector, stream: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < stream.length; i++) if (detector.update(stream[i]).driftDetected) out.push(i);
  return out;
}

/** Bernoulli errors: rate `before` until `change`, then `after`. */
function errorStream(n: number, change: number, before: number, after: number, seed: number): Uint8Array {
  const random = mulberry32(seed);
  return Uint8Array.from({ length: n }, (_, i) => (random() < (i < change ? before : after) ? 1 : 0));
}

/** Gaussian values whose mean jumps at `change`. */
function meanShift(n: number, change: number, shift: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  return Float64Array.from({ length: n }, (_, i) => {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return z * 0.5 + (i < change ? 0 : shift);
  });
}

describe('drift detectors on synthetic streams with a known change point', () => {
  const seeds = [1, 2, 3, 4, 5];
  it('DDM: fires soon after a 10 % error rate jumps to 40 % at 1000, rarely before', () => {
    let falseAlarmRuns = 0;
    for (const seed of seeds) {
      const fired = detections(new DDM(), errorStream(2000, 1000, 0.1, 0.4, seed));
      if (fired.some((i) => i < 1000)) falseAlarmRuns++;
      expect(
        fired.find((i) => i >= 1000),
        `seed ${seed}`,
      ).toBeLessThan(1200);
    }
    // DDM's known weakness: a lucky start sets a low minimum p + s, and an ordinary fluctuation then
    // crosses 3σ (measured: 2 of these 5 seeds, e.g. seed 1 at 232). The paper's rule and river's
    // defaults share it; ADWIN is the steadier detector, which is why summaries report all three.
    expect(falseAlarmRuns).toBeLessThanOrEqual(2);
  });

  it('ADWIN: silent on a stable stream, fires after the change and shrinks its window', () => {
    for (const seed of seeds) {
      const adwin = new ADWIN();
      const fired = detections(adwin, errorStream(3000, 2000, 0.1, 0.4, seed));
      expect(
        fired.filter((i) => i < 2000),
        `seed ${seed}`,
      ).toEqual([]);
      expect(
        fired.find((i) => i >= 2000),
        `seed ${seed}`,
      ).toBeLessThan(2300);
      expect(adwin.width).toBeLessThan(1200);
      expect(adwin.estimation).toBeCloseTo(0.4, 1);
    }
  });

  it('Page-Hinkley: silent before a mean shift of +1, fires within 100 values after it', () => {
    for (const seed of seeds) {
      const fired = detections(new PageHinkley(), meanShift(2000, 1000, 1, seed));
      expect(
        fired.filter((i) => i < 1000),
        `seed ${seed}`,
      ).toEqual([]);
      expect(
        fired.find((i) => i >= 1000),
        `seed ${seed}`,
      ).toBeLessThan(1100);
    }
  });

  it('Page-Hinkley in both modes also sees a decrease', () => {
    const fired = detections(new PageHinkley(), meanShift(2000, 1000, -1, 9));
    expect(fired.find((i) => i >= 1000)).toBeLessThan(1100);
    expect(detections(new PageHinkley({ mode: 'up' }), meanShift(2000, 1000, -1, 9))).toEqual([]);
  });
});

describe('QualitySketch', () => {
  it('computes accuracy, log loss, Brier and ECE from sums, and merges by adding', () => {
    const rows = [
      { scores: [0.7, 0.2, 0.1], label: 0 },
      { scores: [0.6, 0.3, 0.1], label: 1 },
      { scores: [0.1, 0.1, 0.8], label: 2 },
      { scores: [0.25, 0.5, 0.25], label: 1 },
    ];
    const a = new QualitySketch(['a', 'b', 'c']);
    const b = new QualitySketch(['a', 'b', 'c']);
    rows.forEach((r, i) => {
      (i < 2 ? a : b).addClassification(r.scores, r.label);
    });
    const m = qualityMetrics(QualitySketch.fromJSON(a.toJSON()).merge(b.toJSON()).toJSON());
    expect(m.accuracy).toBe(0.75);
    const logLoss = -(Math.log(0.7) + Math.log(0.3) + Math.log(0.8) + Math.log(0.5)) / 4;
    expect(m.logLoss).toBeCloseTo(logLoss, 12);
    const brier = (0.09 + 0.04 + 0.01 + (0.36 + 0.49 + 0.01) + (0.01 + 0.01 + 0.04) + (0.0625 + 0.25 + 0.0625)) / 4;
    expect(m.brier).toBeCloseTo(brier, 12);
    // bins: 0.7 → right, 0.6 → wrong, 0.8 → right, 0.5 → right: |1−.7|+|0−.6|+|1−.8|+|1−.5| over 4
    expect(m.expectedCalibrationError).toBeCloseTo((0.3 + 0.6 + 0.2 + 0.5) / 4, 12);
  });

  it('computes MAE and RMSE for regression', () => {
    const q = new QualitySketch();
    q.addRegression(1, 2);
    q.addRegression(5, 2);
    expect(qualityMetrics(q.toJSON())).toEqual({ labelled: 2, mae: 2, rmse: Math.sqrt(5) });
  });
});
